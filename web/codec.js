// The two encodings of ticker.v1 on a WebSocket (docs/protocol.md, sections 1
// and 7): the subprotocol that names each, how an op becomes a frame, and how
// a frame becomes the messages it holds. A JSON frame is text, its messages
// separated by "\n"; a msgpack frame is binary, its maps concatenated, read by
// a decoder the application injects (msgpack.js has one).

import { clientError, errText } from './errors.js';

export const SUBPROTOCOL_JSON = 'ticker.v1.json';
export const SUBPROTOCOL_MSGPACK = 'ticker.v1.msgpack';

/**
 * Unreadable stands, in what decodeFrame yields, for the part of a frame that
 * could not be read; err is the TickerError to report (code 'client').
 */
export class Unreadable {
  constructor(msg, error) {
    this.err = clientError(msg, error);
  }
}

/**
 * subprotocolFor is the subprotocol a client offers for codec.
 * @param {'json'|'msgpack'} codec
 */
export function subprotocolFor(codec) {
  return codec === 'msgpack' ? SUBPROTOCOL_MSGPACK : SUBPROTOCOL_JSON;
}

/**
 * encodeOp turns a client op into the payload of one frame: msgpack bytes on
 * a binary (msgpack) connection, JSON text otherwise.
 * @param {object} op
 * @param {boolean} binary
 * @param {(op: object) => Uint8Array} encode the msgpack encoder
 * @returns {string|Uint8Array}
 */
export function encodeOp(op, binary, encode) {
  return binary ? encode(op) : JSON.stringify(op);
}

/**
 * decodeFrame yields the messages of one server frame, in order, reading
 * each only when it is asked for, so that a consumer can stop halfway. A JSON
 * line that does not parse yields an Unreadable and the lines after it are
 * still read; a binary frame that does not decode yields one Unreadable.
 * @param {string|ArrayBuffer|ArrayBufferView} data the frame, as a WebSocket delivers it
 * @param {((bytes: Uint8Array) => unknown[])|undefined} decode the msgpack decoder
 * @returns {Generator<unknown>}
 */
export function* decodeFrame(data, decode) {
  if (typeof data === 'string') {
    // JSON: messages separated by "\n", a trailing "\n" allowed.
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf('\n', start);
      if (end < 0) end = data.length;
      if (end > start) {
        const line = data.slice(start, end);
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          m = new Unreadable(`unreadable message from server: ${line.slice(0, 80)}`);
        }
        if (m) yield m;
      }
      start = end + 1;
    }
    return;
  }
  let bytes = null;
  if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!bytes || typeof decode !== 'function') {
    yield new Unreadable('binary frame, but no msgpack decoder');
    return;
  }
  let msgs;
  try {
    msgs = decode(bytes);
  } catch (e) {
    yield new Unreadable(`unreadable msgpack frame: ${errText(e)}`, e);
    return;
  }
  yield* Array.isArray(msgs) ? msgs : [msgs];
}
