// Reconnect delays: exponential backoff with full jitter (docs/protocol.md,
// "Reconnecting"), shaped by the close code that ended the connection.

/**
 * @typedef {object} BackoffPolicy
 * @property {number} baseMs ceiling of the first wait
 * @property {number} capMs the ceiling never grows beyond this
 * @property {number} goingAwayMaxMs after 1001 (server draining) wait uniformly in [0, this]
 * @property {number} policyFloorMs after 1008 or 1013 wait at least this long
 */

/** @type {BackoffPolicy} */
export const DEFAULT_BACKOFF = Object.freeze({
  baseMs: 500,
  capMs: 15_000,
  goingAwayMaxMs: 1_000,
  policyFloorMs: 5_000,
});

/**
 * retryDelay returns how long to wait before reconnect attempt number
 * `attempt` (0 for the first after a stable connection), in ms:
 *
 * - 1001 (going away): uniform in [0, goingAwayMaxMs], whatever the attempt;
 * - 1008 (policy) and 1013 (try again later): policyFloorMs plus the usual
 *   jittered wait, so a refusing server is not hammered;
 * - anything else: uniform in [0, min(capMs, baseMs * 2^attempt)].
 *
 * @param {number} code close code of the connection that ended
 * @param {number} attempt failed attempts since the last stable connection
 * @param {() => number} random uniform in [0, 1)
 * @param {BackoffPolicy} [p]
 * @returns {number}
 */
export function retryDelay(code, attempt, random, p = DEFAULT_BACKOFF) {
  if (code === 1001) return random() * p.goingAwayMaxMs;
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.min(attempt, 30));
  const jittered = random() * ceiling;
  if (code === 1008 || code === 1013) return p.policyFloorMs + jittered;
  return jittered;
}
