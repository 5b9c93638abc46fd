// The WebSocket transport of the ticker.js client (see Transport in
// client.js): one socket to /ws. It offers the subprotocol of the codec,
// learns from the server's answer what the wire really is, encodes ops,
// splits batched frames into messages (codec.js), gives up on an attempt that
// neither opens nor fails, and watches a quiet socket: a ping op after a
// while without a frame, and the socket given up after a longer while, which
// catches half-open connections the browser would not notice for minutes.

import { SUBPROTOCOL_MSGPACK, Unreadable, decodeFrame, encodeOp, subprotocolFor } from './codec.js';
import { clientError, errText } from './errors.js';

/** Close code this client uses when it gives up on a silent WebSocket. */
export const CLIENT_TIMEOUT_CODE = 4000;

/**
 * @typedef {object} WebSocketOptions
 * @property {string} url the endpoint, with its query (token) already set
 * @property {'json'|'msgpack'} codec the encoding to offer
 * @property {any} WebSocket the WebSocket constructor
 * @property {(op: object) => Uint8Array} encode msgpack: encodes one op
 * @property {((bytes: Uint8Array) => unknown[])|undefined} decode msgpack: decodes one frame
 * @property {import('./timers.js').Timers} timers
 * @property {() => number} now the clock, in ms
 * @property {() => number|string} nextId a fresh op id (for the ping)
 * @property {{connectTimeoutMs: number, idleCheckMs: number, idlePingMs: number, idleCloseMs: number}} timing
 * @property {(err: object) => void} report errors not tied to an op
 */

/**
 * openWebSocket starts a WebSocket attempt. It throws what the WebSocket
 * constructor throws (a malformed URL, a blocked port).
 * @param {WebSocketOptions} o
 * @param {import('./client.js').TransportEvents} events
 * @returns {import('./client.js').Transport}
 */
export function openWebSocket(o, events) {
  const { timers, timing, now } = o;
  const sock = new o.WebSocket(o.url, subprotocolFor(o.codec));
  let done = false; // closed, or reported its end: no more events
  let connectTimer = null;
  let idleTimer = null;
  let lastRx = 0;
  let pinged = false;

  const t = {
    name: 'websocket',
    opened: false,
    protocol: '', // the subprotocol the server chose ('' = none, JSON)
    binary: false, // the wire is msgpack
    get canSend() {
      return t.opened && !done;
    },
    send(op) {
      if (!t.canSend) return false;
      try {
        sock.send(encodeOp(op, t.binary, o.encode));
        return true;
      } catch (e) {
        o.report(clientError(`send failed: ${errText(e)}`, e));
        return false;
      }
    },
    close(code = 1000, reason = '') {
      if (done) return;
      finish();
      sock.onopen = sock.onmessage = sock.onerror = sock.onclose = null;
      try {
        sock.close(code, reason);
      } catch {
        // already closing
      }
    },
  };

  function finish() {
    done = true;
    connectTimer = timers.cancel(connectTimer);
    idleTimer = timers.cancel(idleTimer);
  }

  // An attempt that neither opens nor fails (a proxy that swallows the
  // request) has failed after connectTimeoutMs.
  connectTimer = timers.later(() => {
    connectTimer = null;
    if (done || t.opened) return;
    t.close();
    events.onClose(1006, 'connect timeout', false);
  }, timing.connectTimeoutMs);

  sock.binaryType = 'arraybuffer';
  sock.onopen = () => {
    if (done) return;
    t.opened = true;
    connectTimer = timers.cancel(connectTimer);
    t.protocol = sock.protocol || '';
    // The server decides: without a subprotocol in its reply the wire is JSON.
    t.binary = t.protocol === SUBPROTOCOL_MSGPACK;
    lastRx = now();
    pinged = false;
    idleTimer = timers.later(checkIdle, timing.idleCheckMs);
    events.onOpen();
  };
  sock.onmessage = (ev) => {
    if (done) return;
    lastRx = now();
    pinged = false;
    for (const m of decodeFrame(ev.data, o.decode)) {
      if (done) return; // a handler closed the client or the connection
      if (m instanceof Unreadable) o.report(m.err);
      else events.onMessage(m);
    }
  };
  sock.onerror = () => {}; // a close event follows, with the code
  sock.onclose = (ev) => {
    if (done) return;
    finish();
    events.onClose(ev.code ?? 1006, ev.reason ?? '', t.opened);
  };

  // checkIdle pings a quiet server and gives up on a silent one.
  function checkIdle() {
    idleTimer = null;
    if (done) return;
    const idle = now() - lastRx;
    if (idle >= timing.idleCloseMs) {
      const reason = `nothing received for ${Math.round(idle / 1000)} s`;
      t.close(CLIENT_TIMEOUT_CODE, reason);
      events.onClose(CLIENT_TIMEOUT_CODE, reason, true);
      return;
    }
    if (idle >= timing.idlePingMs && !pinged) {
      pinged = true;
      t.send({ op: 'ping', id: o.nextId() });
    }
    idleTimer = timers.later(checkIdle, timing.idleCheckMs);
  }

  return t;
}
