// Subjects and patterns of ticker.v1 (docs/protocol.md, section 2): checking a
// pattern before it is sent, and matching a subject against a pattern.

export const MAX_TOKENS = 16;
export const MAX_SUBJECT_BYTES = 256;

const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * patternError returns why p is not a valid subscription pattern, or '' when
 * it is: 1 to 16 dot-separated tokens of [A-Za-z0-9_-], at most 256 bytes; a
 * token may be exactly "*" and the last one exactly ">".
 * @param {unknown} p
 * @returns {string}
 */
export function patternError(p) {
  if (typeof p !== 'string') return 'not a string';
  if (p === '') return 'empty';
  // Valid patterns are ASCII, so their length in bytes is their length.
  if (p.length > MAX_SUBJECT_BYTES) return `longer than ${MAX_SUBJECT_BYTES} bytes`;
  const tokens = p.split('.');
  if (tokens.length > MAX_TOKENS) return `more than ${MAX_TOKENS} tokens`;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '') return 'empty token';
    if (t === '*') continue;
    if (t === '>') {
      if (i !== tokens.length - 1) return "'>' must be the last token";
      continue;
    }
    if (!TOKEN.test(t)) return `invalid token ${JSON.stringify(t)}`;
  }
  return '';
}

/**
 * matches reports whether the concrete subject matches pattern ("*" matches
 * one token, a last ">" one or more trailing tokens).
 * @param {string} pattern
 * @param {string} subject
 * @returns {boolean}
 */
export function matches(pattern, subject) {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
