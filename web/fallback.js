// Which transport the ticker.js client's next attempt uses. 'websocket' and
// 'sse' are fixed; 'auto' starts on WebSocket and falls back to Server-Sent
// Events when WebSocket keeps failing, and comes back when it may work again.

/**
 * WebSocket attempts in a row that never open before 'auto' falls back to
 * SSE. After an SSE connection ends, 'auto' tries WebSocket once more (one
 * failure returns to SSE); when SSE fails to open as well, the server is the
 * problem rather than WebSocket, and 'auto' goes back to WebSocket.
 */
export const WS_FAILURES_BEFORE_SSE = 3;

export class TransportChoice {
  /**
   * @param {'auto'|'websocket'|'sse'} wanted
   * @param {{websocket: boolean, sse: boolean}} available which transports this runtime has
   */
  constructor(wanted, available) {
    this.auto = wanted === 'auto' && available.websocket && available.sse;
    /** @type {'websocket'|'sse'} the transport of the current or next attempt */
    this.current = wanted === 'sse' || !available.websocket ? 'sse' : 'websocket';
    this.wsFailures = 0; // WebSocket attempts in a row that never opened
  }

  /** opened records a WebSocket that opened: WebSocket works here. */
  opened() {
    if (this.current === 'websocket') this.wsFailures = 0;
  }

  /**
   * ended picks the transport of the next attempt, after a connection on
   * the current one ended (opened) or failed to open (!opened).
   * @param {boolean} opened
   */
  ended(opened) {
    if (!this.auto) return;
    if (this.current === 'websocket') {
      if (!opened && ++this.wsFailures >= WS_FAILURES_BEFORE_SSE) this.current = 'sse';
      return;
    }
    this.current = 'websocket';
    this.wsFailures = opened ? WS_FAILURES_BEFORE_SSE - 1 : 0;
  }
}
