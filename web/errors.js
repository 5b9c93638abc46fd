// Errors the ticker.js client makes up itself (code 'client'): an unreadable
// frame, a send that failed, an application callback that threw. Errors from
// the server are passed on as they arrive (docs/protocol.md, section 9).

/** errText is the text of a caught exception, whatever was thrown. */
export const errText = (e) => String(e?.message ?? e);

/**
 * clientError builds the TickerError (see ticker.js) for a fault on the
 * client's side; error is the exception caught, if any.
 * @param {string} msg
 * @param {unknown} [error]
 */
export function clientError(msg, error) {
  return error === undefined ? { code: 'client', msg } : { code: 'client', msg, error };
}
