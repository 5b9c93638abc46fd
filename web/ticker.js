// ticker.js: a ticker.v1 client for browsers (and Node, given a WebSocket or
// an EventSource). It keeps one connection to a gateway, over WebSocket or,
// when that fails, over Server-Sent Events, and hides everything the wire
// asks of a client (docs/protocol.md): subprotocol negotiation, batched
// frames, acks, resubscribing after every reconnect, backoff with full jitter,
// pings on a quiet socket and seq gaps. It touches no DOM.
//
//   import { connect } from './ticker.js';
//   const client = connect('wss://example.test/ws', { onStatus: console.log });
//   const sub = client.subscribe(['quotes.AAPL', 'scores.nba.*'], (msg) => {
//     console.log(msg.subject, msg.data, msg.snapshot, msg.gap);
//   });
//   await sub.ready;            // acknowledged by the server
//   sub.unsubscribe();          // or client.unsubscribe(['quotes.AAPL'])
//   client.close();
//
// This module is the public API: connect, its options and their defaults, and
// the types it hands out. The work is done by its siblings, one concern each,
// the way centrifuge-js splits its client:
//   client.js         the state machine: connecting, open, reconnecting, idle, closed
//   transport-ws.js   the WebSocket transport: ops, batched frames, pings on a quiet socket
//   transport-sse.js  the Server-Sent Events transport, and asking why a stream was refused
//   fallback.js       which transport the next attempt uses
//   subscriptions.js  the registry: acks, refusals, resubscribing, delivery, seq gaps
//   delta.js          subscription options (maxRate, delta) and merging field deltas
//   token.js          reading a token's exp and when to refresh it
//   backoff.js        reconnect delays
//   codec.js          JSON and msgpack frames (msgpack.js is the encoding itself)
//   url.js            the endpoints and their query parameters
//   timers.js         every timer of a client, so that close() leaves none
//   errors.js         the errors the client makes up itself

import { encode as encodeMsgpack } from './msgpack.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { createClient } from './client.js';
import { Timers } from './timers.js';
import { endpoints, withParams } from './url.js';

export { SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from './codec.js';
export { CLIENT_TIMEOUT_CODE } from './transport-ws.js';
export { WS_FAILURES_BEFORE_SSE } from './fallback.js';
export { sseUrlFor } from './url.js';

/** Timings, in ms; every one can be overridden through options.timing. */
export const DEFAULT_TIMING = Object.freeze({
  stableAfterMs: 10_000, // a connection open this long resets the backoff
  connectTimeoutMs: 10_000, // an attempt not open after this long has failed
  idleCheckMs: 5_000, // how often a WebSocket's silence is checked
  idlePingMs: 15_000, // send a ping op after this long without a frame
  idleCloseMs: 25_000, // give the WebSocket up after this long without a frame
  sseDebounceMs: 150, // SSE: wait this long for more edits before reopening
  rateLimitRetryMs: 1_000, // resend a sub refused with rate_limited after this
});

/**
 * @typedef {object} Message one update, as handed to a subscription's handler
 * @property {string} subject the concrete subject, e.g. 'quotes.AAPL'
 * @property {any} data the quote or score object (see docs/protocol.md)
 * @property {boolean} snapshot true on the last known value replayed after a (re)subscribe
 * @property {number} [gap] present when updates were missed: how many seq numbers were skipped
 * @property {boolean} [delta] true when it came as a field delta: data is already merged onto the
 *   last full update (the same shape as a whole one)
 */

/**
 * @typedef {object} SubscribeOptions what a subscription asks of the server (issue 14); a
 *   server without these features ignores them and sends every update whole
 * @property {number} [maxRate=0] at most this many updates per second per subject (0: unlimited)
 * @property {boolean} [delta=false] field deltas on the wire; the client merges them, checks seq,
 *   and on a delta that does not follow reports 'delta_gap' to onError, drops its copy of the
 *   subject and subscribes again for a snapshot (nothing wrong is handed to the handler)
 */

/**
 * @typedef {object} TickerError an error reply from the server, or one this client made up
 * @property {string} code 'bad_request', 'bad_subject', 'forbidden', 'too_many_subscriptions',
 *   'rate_limited', 'bad_token' (a refreshed token refused; retryIn says when it is tried again)
 *   (server); 'client' (unreadable frame, a handler threw, getToken failed), 'delta_gap' (a delta
 *   not applied; subject names it)
 * @property {'error'|'revoked'} [op] 'revoked': a refreshed token no longer grants subjects,
 *   which are dropped from every subscription (not resubscribed)
 * @property {number} [retryIn] token refresh: the wait before the next try, in ms
 * @property {string} msg human-readable text
 * @property {number|string} [id] id of the refused op
 * @property {string[]} [subjects] patterns of the refused op
 * @property {unknown} [error] client: the exception caught
 */

/**
 * @typedef {object} Status
 * @property {'connecting'|'open'|'reconnecting'|'idle'|'closed'} state 'idle': no
 *   subscription is held, so nothing is connected; the next subscribe connects
 * @property {'websocket'|'sse'} transport of the current or next connection
 * @property {'json'|'msgpack'} codec the encoding on the wire
 * @property {string} protocol open WebSocket: the subprotocol the server chose ('' = none, JSON)
 * @property {boolean} subscribed every subscription is in effect on this connection
 * @property {number} attempt failed connections since the last stable one
 * @property {number} [retryAt] reconnecting: when the next attempt starts (ms, as options.now)
 * @property {number} [retryIn] reconnecting: the wait chosen, in ms
 * @property {number} [retryHint] reconnecting after 1013: the server's hint of when to come back
 *   ("retry after <N>ms", or an SSE refusal's Retry-After), in ms; retryIn was drawn from
 *   [0, max(retryHint, the backoff ceiling)]
 * @property {{code: number, reason: string}|null} lastClose how the last connection ended
 */

/**
 * @typedef {object} Subscription
 * @property {string[]} patterns the patterns it still holds
 * @property {boolean} active false once unsubscribed, refused or closed
 * @property {Promise<void>} ready resolves when the server first confirms it
 *   (WebSocket: ack; SSE: the stream opened), rejects with a TickerError if refused
 * @property {(patterns?: string[]) => void} unsubscribe drops some or all of its patterns
 */

/**
 * @typedef {object} Client
 * @property {(patterns: string[], handler: (msg: Message) => void, opts?: SubscribeOptions) => Subscription} subscribe
 * @property {(patterns: string[]) => void} unsubscribe drops patterns from every subscription
 * @property {() => void} reconnectNow skips the rest of a backoff wait
 * @property {() => void} close closes the connection for good; no timer is left behind
 */

/**
 * @typedef {object} Options
 * @property {'json'|'msgpack'} [codec='json'] the encoding to offer: subprotocol ticker.v1.json or
 *   ticker.v1.msgpack (WebSocket only; SSE is JSON)
 * @property {(bytes: Uint8Array) => unknown[]} [decode] msgpack: decodes one binary frame into
 *   the messages it holds, in order (a frame is one or more concatenated maps); e.g.
 *   decodeAll from msgpack.js, or (b) => [...decodeMulti(b)] with @msgpack/msgpack
 * @property {(op: object) => Uint8Array} [encode] msgpack: encodes one op (default: msgpack.js)
 * @property {(status: Status) => void} [onStatus]
 * @property {(err: TickerError) => void} [onError] errors not tied to a subscription's ready
 *   promise are reported here; refused subscriptions are reported here too
 * @property {'auto'|'websocket'|'sse'} [transport='auto'] 'auto': WebSocket, and SSE when
 *   WebSocket is missing or fails WS_FAILURES_BEFORE_SSE times in a row without opening
 *   (see WS_FAILURES_BEFORE_SSE for the way back)
 * @property {string|string[]} [sseUrl] the SSE endpoint, one per url; default: url with ws(s) ->
 *   http(s) and /ws -> /sse
 * @property {string} [token] a JWT, sent as ?token=
 * @property {() => Promise<string>} [getToken] returns a fresh JWT: called before every
 *   connection attempt (it wins over token) and ahead of the token's exp, at a random point of
 *   75-90% of its remaining lifetime; WebSocket sends it as {"op":"auth"}, SSE reconnects with it
 * @property {Partial<import('./backoff.js').BackoffPolicy>} [backoff]
 * @property {Partial<typeof DEFAULT_TIMING>} [timing]
 * @property {any} [WebSocket] for tests: the WebSocket constructor (default: the global one)
 * @property {any} [EventSource] for tests: the EventSource constructor (default: the global one)
 * @property {any} [fetch] for tests: fetch, used to learn why an SSE stream was refused
 * @property {(fn: () => void, ms: number) => any} [setTimeout] for tests
 * @property {(t: any) => void} [clearTimeout] for tests
 * @property {() => number} [now] for tests: the clock, in ms (default Date.now)
 * @property {() => number} [random] for tests: uniform in [0, 1) (default Math.random)
 */

const noop = () => {};

/**
 * connect opens a connection to a ticker gateway and keeps it open until
 * close() is called: it reconnects after every loss with exponential backoff
 * and full jitter (see backoff.js) and resubscribes every held pattern.
 *
 * A handler gets each message once, even when several of the patterns it
 * was subscribed with (in one call or in several) match its subject.
 *
 * The first attempt goes to the first url; after each connection ends the
 * next one in turn is tried, except after 1001 (a drain) and 1013 (a
 * refusal): then one of the others at random (url.js, nextUrl).
 *
 * @param {string|string[]} url the gateway's WebSocket endpoint, e.g. 'wss://host/ws', or those
 *   of several pods or regions
 * @param {Options} [options]
 * @returns {Client}
 */
export function connect(url, options = {}) {
  const {
    codec = 'json', decode, encode = encodeMsgpack, onStatus = noop, onError = noop,
    transport: wanted = 'auto', token, getToken,
  } = options;
  if (getToken !== undefined && typeof getToken !== 'function') throw new TypeError('ticker: getToken must be a function');
  const WS = 'WebSocket' in options ? options.WebSocket : globalThis.WebSocket;
  const ES = 'EventSource' in options ? options.EventSource : globalThis.EventSource;
  const fetchFn = 'fetch' in options ? options.fetch : globalThis.fetch?.bind(globalThis);

  if (codec !== 'json' && codec !== 'msgpack') throw new TypeError(`ticker: unknown codec ${codec}`);
  if (codec === 'msgpack' && typeof decode !== 'function') {
    throw new TypeError('ticker: codec msgpack needs a decode(bytes) => messages function');
  }
  if (!['auto', 'websocket', 'sse'].includes(wanted)) throw new TypeError(`ticker: unknown transport ${wanted}`);
  if (wanted === 'websocket' && typeof WS !== 'function') throw new TypeError('ticker: no WebSocket here');
  if (wanted === 'sse' && typeof ES !== 'function') throw new TypeError('ticker: no EventSource here');
  if (typeof WS !== 'function' && typeof ES !== 'function') throw new TypeError('ticker: neither WebSocket nor EventSource here');
  const gateways = endpoints(url, options.sseUrl);

  return createClient({
    endpoints: gateways.map((e) => ({ ws: withParams(e.ws, { token }), sse: e.sse })),
    token,
    getToken,
    codec,
    decode,
    encode,
    wanted,
    WebSocket: WS,
    EventSource: ES,
    fetch: fetchFn,
    onStatus,
    onError,
    timers: new Timers(
      options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms)),
      options.clearTimeout ?? ((t) => globalThis.clearTimeout(t)),
    ),
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    timing: { ...DEFAULT_TIMING, ...options.timing },
  });
}
