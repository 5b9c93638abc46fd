// Reconnect delays: exponential backoff with full jitter (docs/protocol.md,
// "Reconnecting"), shaped by the close code that ended the connection.

/**
 * @typedef {object} BackoffPolicy
 * @property {number} baseMs ceiling of the first wait
 * @property {number} capMs the ceiling never grows beyond this
 * @property {number} goingAwayMaxMs after 1001 (server draining) wait uniformly in [0, this]
 * @property {number} policyFloorMs after 1008, or 1013 without a hint, wait at least this long
 */

/** @type {BackoffPolicy} */
export const DEFAULT_BACKOFF = Object.freeze({
  baseMs: 500,
  capMs: 15_000,
  goingAwayMaxMs: 1_000,
  policyFloorMs: 5_000,
});

/** MAX_RETRY_HINT_MS caps the server's hint: a malformed or hostile one does not park the client. */
export const MAX_RETRY_HINT_MS = 60_000;

// The hint at the end of a 1013's reason: "...; retry after 2500ms".
const HINT = /retry after (\d+)ms *$/;

/**
 * retryHint reads the server's hint of when to come back from a close
 * reason that ends with "retry after <N>ms" (a refusing gateway's 1013,
 * docs/protocol.md "Reconnecting"), in ms, at most MAX_RETRY_HINT_MS; null
 * when the reason has none.
 * @param {unknown} reason
 * @returns {number|null}
 */
export function retryHint(reason) {
  const m = typeof reason === 'string' ? HINT.exec(reason) : null;
  return m ? Math.min(Number(m[1]), MAX_RETRY_HINT_MS) : null;
}

/**
 * retryAfterMs reads an HTTP Retry-After header given in whole seconds (an
 * HTTP date is not read), in ms, at most MAX_RETRY_HINT_MS; null without one.
 * @param {unknown} value the header's value (null: no header)
 * @returns {number|null}
 */
export function retryAfterMs(value) {
  const m = typeof value === 'string' ? /^\s*(\d+)\s*$/.exec(value) : null;
  return m ? Math.min(Number(m[1]) * 1000, MAX_RETRY_HINT_MS) : null;
}

/**
 * hintReason is the close reason of an HTTP refusal with a hint, in the form
 * of a 1013's, so that one rule reads both.
 * @param {number} status
 * @param {number} hintMs
 */
export function hintReason(status, hintMs) {
  return `HTTP ${status}; retry after ${hintMs}ms`;
}

/**
 * retryDelay returns how long to wait before reconnect attempt number
 * `attempt` (0 for the first after a stable connection), in ms:
 *
 * - 1001 (going away): uniform in [0, goingAwayMaxMs], whatever the attempt;
 * - 1013 whose reason carries the server's hint N (retryHint): uniform in
 *   [0, max(N, ceiling)], without the floor. N is how long the refusing
 *   gateway needs to take the clients it refused at the rate it takes them,
 *   so refused clients that each pick a uniform point of it come back at
 *   about that rate; a floor would only postpone and bunch them up. The
 *   client's own ceiling counts when it is larger, so a client refused again
 *   and again keeps backing off even if the hints stay short;
 * - 1008 (policy) and 1013 without a hint: policyFloorMs plus the usual
 *   jittered wait, so a refusing server is not hammered;
 * - anything else: uniform in [0, ceiling], ceiling = min(capMs, baseMs * 2^attempt).
 *
 * @param {number} code close code of the connection that ended
 * @param {number} attempt failed attempts since the last stable connection
 * @param {() => number} random uniform in [0, 1)
 * @param {BackoffPolicy} [p]
 * @param {string} [reason] close reason of the connection that ended
 * @returns {number}
 */
export function retryDelay(code, attempt, random, p = DEFAULT_BACKOFF, reason = '') {
  if (code === 1001) return random() * p.goingAwayMaxMs;
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.min(attempt, 30));
  const hint = code === 1013 ? retryHint(reason) : null;
  if (hint !== null) return random() * Math.max(hint, ceiling);
  const jittered = random() * ceiling;
  if (code === 1008 || code === 1013) return p.policyFloorMs + jittered;
  return jittered;
}
