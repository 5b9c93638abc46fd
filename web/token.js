// Token refresh of the ticker.js client (issue 14): options.getToken() is
// called for every connection attempt and, on an open connection, ahead of
// the token's exp, at a random point between 75% and 90% of its remaining
// lifetime (full jitter, so that many clients do not refresh in the same
// second). On WebSocket the new token goes as {"op":"auth","id","token"}; a
// bad_token answer is reported and retried with backoff while the old token
// lasts. SSE cannot send ops: the stream reconnects with the new token
// (snapshots make that lossless).

/** Refresh timings, in ms. */
export const REFRESH = Object.freeze({
  from: 0.75, // of the remaining lifetime
  window: 0.15, // a random point of [75%, 90%)
  retryFloorMs: 1_000, // the first retry's ceiling
  retryCapMs: 30_000,
  minLeftMs: 200, // closer to exp than this, a failed refresh is not retried
});

/**
 * tokenExpiry reads a JWT's exp (ms since the epoch) without verifying it;
 * 0 when the token is no JWT or has no exp.
 * @param {string|undefined} token
 */
export function tokenExpiry(token) {
  if (typeof token !== 'string') return 0;
  const part = token.split('.')[1];
  if (!part) return 0;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const claims = JSON.parse(globalThis.atob(b64));
    return typeof claims?.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : 0;
  } catch {
    return 0;
  }
}

/** refreshDelay is when to refresh a token with remainingMs left, given r in [0, 1). */
export function refreshDelay(remainingMs, r) {
  return remainingMs <= 0 ? 0 : remainingMs * (REFRESH.from + REFRESH.window * r);
}

/**
 * refreshRetry is the wait after the n-th failed refresh in a row (n >= 1),
 * given r in [0, 1): full jitter under min(1 s * 2^(n-1), 30 s), at most half
 * of what is left of the old token; -1: do not retry.
 */
export function refreshRetry(n, r, leftMs) {
  if (leftMs < 2 * REFRESH.minLeftMs) return -1;
  const ceiling = Math.min(REFRESH.retryFloorMs * 2 ** Math.min(n - 1, 10), REFRESH.retryCapMs);
  return Math.min(r * ceiling, leftMs / 2);
}
