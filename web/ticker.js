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

import { matches, patternError } from './subject.js';
import { DEFAULT_BACKOFF, retryDelay } from './backoff.js';
import { encode as encodeMsgpack } from './msgpack.js';

export const SUBPROTOCOL_JSON = 'ticker.v1.json';
export const SUBPROTOCOL_MSGPACK = 'ticker.v1.msgpack';
/** Close code this client uses when it gives up on a silent WebSocket. */
export const CLIENT_TIMEOUT_CODE = 4000;

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
 * WebSocket attempts in a row that never open before 'auto' falls back to
 * SSE. After an SSE connection ends, 'auto' tries WebSocket once more (one
 * failure returns to SSE); when SSE fails to open as well, the server is the
 * problem rather than WebSocket, and 'auto' goes back to WebSocket.
 */
export const WS_FAILURES_BEFORE_SSE = 3;

const RESUB_OP_BYTES = 16 * 1024; // resubscribe in ops of at most this much pattern text
const EVENTSOURCE_CLOSED = 2;
const PROBE_TIMEOUT_MS = 10_000; // how long to wait for the answer to a refused SSE stream

/**
 * @typedef {object} Message one update, as handed to a subscription's handler
 * @property {string} subject the concrete subject, e.g. 'quotes.AAPL'
 * @property {any} data the quote or score object (see docs/protocol.md)
 * @property {boolean} snapshot true on the last known value replayed after a (re)subscribe
 * @property {number} [gap] present when updates were missed: how many seq numbers were skipped
 */

/**
 * @typedef {object} TickerError an error reply from the server, or one this client made up
 * @property {string} code 'bad_request', 'bad_subject', 'forbidden', 'too_many_subscriptions',
 *   'rate_limited' (server); 'client' (unreadable frame, a handler threw)
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
 * @property {(patterns: string[], handler: (msg: Message) => void) => Subscription} subscribe
 * @property {(patterns: string[]) => void} unsubscribe drops patterns from every subscription
 * @property {() => void} reconnectNow skips the rest of a backoff wait
 * @property {() => void} close closes the connection for good; no timer is left behind
 */

/**
 * @typedef {object} Options
 * @property {'json'|'msgpack'} [codec='json'] the subprotocol to offer (WebSocket only; SSE is JSON)
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
 * @property {string} [sseUrl] the SSE endpoint; default: url with ws(s) -> http(s) and /ws -> /sse
 * @property {string} [token] a JWT, sent as ?token=
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

/**
 * sseUrlFor derives the SSE endpoint from a WebSocket URL:
 * ws://host/ws -> http://host/sse, wss://host/p/ws -> https://host/p/sse.
 * @param {string} wsUrl
 * @returns {string}
 */
export function sseUrlFor(wsUrl) {
  const u = new URL(wsUrl, globalThis.location?.href);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  u.pathname = /\/ws$/.test(u.pathname) ? u.pathname.slice(0, -2) + 'sse' : u.pathname.replace(/\/?$/, '/sse');
  u.search = '';
  u.hash = '';
  return u.toString();
}

function withParams(url, params) {
  const u = new URL(url, globalThis.location?.href);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.searchParams.set(k, v);
  return u.toString();
}

const noop = () => {};
const errText = (e) => String(e?.message ?? e);

/**
 * connect opens a connection to a ticker gateway and keeps it open until
 * close() is called: it reconnects after every loss with exponential backoff
 * and full jitter (see backoff.js) and resubscribes every held pattern.
 *
 * A handler gets each message once, even when several of the patterns it
 * was subscribed with (in one call or in several) match its subject.
 *
 * @param {string} url the gateway's WebSocket endpoint, e.g. 'wss://host/ws'
 * @param {Options} [options]
 * @returns {Client}
 */
export function connect(url, options = {}) {
  const {
    codec = 'json', decode, encode = encodeMsgpack, onStatus = noop, onError = noop,
    transport: wanted = 'auto', token,
  } = options;
  const WS = 'WebSocket' in options ? options.WebSocket : globalThis.WebSocket;
  const ES = 'EventSource' in options ? options.EventSource : globalThis.EventSource;
  const fetchFn = 'fetch' in options ? options.fetch : globalThis.fetch?.bind(globalThis);
  const setTimer = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearTimer = options.clearTimeout ?? ((t) => globalThis.clearTimeout(t));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const timing = { ...DEFAULT_TIMING, ...options.timing };

  if (codec !== 'json' && codec !== 'msgpack') throw new TypeError(`ticker: unknown codec ${codec}`);
  if (codec === 'msgpack' && typeof decode !== 'function') {
    throw new TypeError('ticker: codec msgpack needs a decode(bytes) => messages function');
  }
  if (!['auto', 'websocket', 'sse'].includes(wanted)) throw new TypeError(`ticker: unknown transport ${wanted}`);
  if (wanted === 'websocket' && typeof WS !== 'function') throw new TypeError('ticker: no WebSocket here');
  if (wanted === 'sse' && typeof ES !== 'function') throw new TypeError('ticker: no EventSource here');
  if (typeof WS !== 'function' && typeof ES !== 'function') throw new TypeError('ticker: neither WebSocket nor EventSource here');

  const wsUrl = withParams(url, { token });
  const sseBase = options.sseUrl ?? sseUrlFor(url);

  let transport = wanted === 'sse' || typeof WS !== 'function' ? 'sse' : 'websocket';
  let state = 'connecting';
  let stopped = false;
  let attempt = 0; // failed connections since the last stable one
  let wsFailures = 0; // WebSocket attempts in a row that never opened
  let lastClose = null;
  let conn = null; // the current connection, see openWebSocket and openSse
  let openedAt = 0;
  let lastRx = 0;
  let pinged = false;
  let nextId = 1;
  let retryTimer = null;
  let idleTimer = null;
  let reopenTimer = null;
  let shown = ''; // state and subscribed as last shown, to skip repeats
  const timers = new Set();
  const pending = new Map(); // op id -> {kind: 'sub'|'unsub', records, patterns, resub}
  const records = new Set(); // live subscriptions, in the order they were made
  const lastSeq = new Map(); // subject -> last seq seen

  // --- small helpers ---

  function later(fn, ms) {
    const t = setTimer(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  }

  function cancel(t) {
    if (t !== null) {
      clearTimer(t);
      timers.delete(t);
    }
    return null;
  }

  function report(err) {
    try {
      onError(err);
    } catch {
      // an error handler that throws has nowhere left to report to
    }
  }

  function allLive() {
    for (const r of records) if (!r.live) return false;
    return true;
  }

  function emit(extra) {
    const subscribed = state === 'open' && allLive();
    shown = `${state} ${subscribed}`;
    const st = {
      state,
      transport,
      codec: conn?.opened ? (conn.binary ? 'msgpack' : 'json') : transport === 'sse' ? 'json' : codec,
      protocol: conn?.protocol ?? '',
      subscribed,
      attempt,
      lastClose,
      ...extra,
    };
    try {
      onStatus(st);
    } catch (e) {
      report({ code: 'client', msg: `onStatus threw: ${errText(e)}`, error: e });
    }
  }

  function emitIfChanged() {
    if (`${state} ${state === 'open' && allLive()}` !== shown) emit();
  }

  function heldPatterns() {
    const set = new Set();
    for (const r of records) for (const p of r.patterns) set.add(p);
    return set;
  }

  // --- connecting ---

  function open() {
    retryTimer = cancel(retryTimer);
    if (stopped) return;
    if (transport === 'sse') openSse(false);
    else openWebSocket();
  }

  function openWebSocket() {
    state = 'connecting';
    let sock;
    try {
      sock = new WS(wsUrl, codec === 'msgpack' ? SUBPROTOCOL_MSGPACK : SUBPROTOCOL_JSON);
    } catch (err) {
      emit();
      ended(1006, errText(err), false); // a malformed URL, a blocked port
      return;
    }
    const c = { kind: 'websocket', sock, opened: false, protocol: '', binary: false, timer: null };
    conn = c;
    armConnectTimeout(c);
    emit();
    sock.binaryType = 'arraybuffer';
    sock.onopen = () => {
      if (conn !== c) return;
      c.opened = true;
      c.timer = cancel(c.timer);
      c.protocol = sock.protocol || '';
      // The server decides: without a subprotocol in its reply the wire is JSON.
      c.binary = c.protocol === SUBPROTOCOL_MSGPACK;
      openedAt = lastRx = now();
      pinged = false;
      wsFailures = 0;
      state = 'open';
      resubscribeAll();
      idleTimer = later(checkIdle, timing.idleCheckMs);
      emit();
    };
    sock.onmessage = (ev) => {
      if (conn !== c) return;
      lastRx = now();
      pinged = false;
      receiveFrame(c, ev.data);
    };
    sock.onerror = noop; // a close event follows, with the code
    sock.onclose = (ev) => {
      if (conn === c) ended(ev.code ?? 1006, ev.reason ?? '', c.opened);
    };
  }

  function openSse(reopen) {
    const patterns = [...heldPatterns()];
    if (patterns.length === 0) {
      conn = null;
      state = 'idle';
      emit();
      return;
    }
    if (!reopen) state = 'connecting';
    const url = withParams(sseBase, { subjects: patterns.join(','), token });
    let es;
    try {
      es = new ES(url);
    } catch (err) {
      emit();
      ended(1006, errText(err), false);
      return;
    }
    const c = {
      kind: 'sse', es, url, opened: false, protocol: '', binary: false,
      records: [...records], onClose: null, abort: null, timer: null,
    };
    conn = c;
    armConnectTimeout(c);
    emit();
    es.onopen = () => {
      if (conn !== c) return;
      c.opened = true;
      c.timer = cancel(c.timer);
      openedAt = lastRx = now();
      state = 'open';
      for (const r of c.records) if (records.has(r)) confirm(r);
      emit();
    };
    es.onmessage = (ev) => {
      if (conn !== c) return;
      lastRx = now();
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch {
        report({ code: 'client', msg: `unreadable event from server: ${String(ev.data).slice(0, 80)}` });
        return;
      }
      handle(m);
    };
    // The server ends a stream on purpose with "event: close" and a close code.
    c.onClose = (ev) => {
      if (conn !== c) return;
      let info = {};
      try {
        info = JSON.parse(ev.data) ?? {};
      } catch {
        // keep the defaults
      }
      detach(c);
      ended(Number.isInteger(info.code) ? info.code : 1006, String(info.reason ?? ''), c.opened);
    };
    es.addEventListener('close', c.onClose);
    es.onerror = () => {
      if (conn !== c) return;
      // CLOSED before opening: the server answered but not with a stream
      // (400/403 for a refused subscription, 503 while draining). EventSource
      // cannot show the answer, so ask again with fetch to learn why.
      const refused = !c.opened && es.readyState === EVENTSOURCE_CLOSED;
      detach(c); // and stop EventSource's own reconnecting: the backoff is ours
      if (refused && typeof fetchFn === 'function') probe(c);
      else ended(1006, c.opened ? 'stream lost' : 'stream failed', c.opened);
    };
  }

  async function probe(c) {
    const ctl = typeof AbortController === 'function' ? new AbortController() : null;
    c.abort = ctl;
    const timeout = later(() => ctl?.abort(), PROBE_TIMEOUT_MS);
    let status = 0;
    let refusal = null;
    try {
      const res = await fetchFn(c.url, { signal: ctl?.signal, headers: { Accept: 'text/event-stream' } });
      status = res.status;
      if (status === 400 || status === 403) {
        let body = null;
        try {
          body = await res.json();
        } catch {
          // not JSON
        }
        refusal = body?.op === 'error' && typeof body.code === 'string' ? body
          : { op: 'error', code: status === 403 ? 'forbidden' : 'bad_request', msg: `HTTP ${status}` };
      }
    } catch {
      // the network failed too: treat it as any failed attempt
    }
    cancel(timeout);
    ctl?.abort(); // never keep a stream that answered 200 this time
    if (conn !== c || stopped) return; // closed or reopened meanwhile
    if (refusal) streamRefused(c, refusal);
    else if (status === 401) ended(1008, 'HTTP 401', false);
    else if (status === 429 || status === 503) ended(1013, `HTTP ${status}`, false);
    else ended(1006, status ? `HTTP ${status}` : 'stream failed', false);
  }

  // streamRefused handles an SSE stream refused for its subjects. SSE has no
  // per-subscription answer, so the suspects are the subscriptions never
  // confirmed yet; of those, the ones whose pattern the error names, if any.
  function streamRefused(c, err) {
    const suspects = c.records.filter((r) => records.has(r) && !r.confirmed);
    const named = suspects.filter((r) => [...r.patterns].some((p) => err.msg?.includes(`"${p}"`)));
    const culprits = named.length ? named : suspects;
    if (culprits.length === 0) {
      report(err);
      ended(1008, err.msg ?? err.code, false);
      return;
    }
    for (const r of culprits) refuse(r, { ...err, subjects: [...r.patterns] });
    conn = null;
    openSse(false);
  }

  // armConnectTimeout gives up on an attempt that neither opens nor fails,
  // which a proxy that swallows the request can cause.
  function armConnectTimeout(c) {
    c.timer = later(() => {
      c.timer = null;
      if (conn !== c || c.opened) return;
      detach(c);
      ended(1006, 'connect timeout', false);
    }, timing.connectTimeoutMs);
  }

  function detach(c, code = 1000, reason = '') {
    c.timer = cancel(c.timer ?? null);
    if (c.kind === 'websocket') {
      const s = c.sock;
      s.onopen = s.onmessage = s.onerror = s.onclose = null;
      try {
        s.close(code, reason);
      } catch {
        // already closing
      }
    } else {
      c.abort?.abort();
      const es = c.es;
      es.onopen = es.onmessage = es.onerror = null;
      es.removeEventListener('close', c.onClose);
      es.close();
    }
  }

  // ended runs once per connection that ends (or fails to start) and
  // schedules the next attempt.
  function ended(code, reason, opened) {
    if (conn) conn.timer = cancel(conn.timer ?? null);
    conn = null;
    idleTimer = cancel(idleTimer);
    reopenTimer = cancel(reopenTimer);
    pending.clear();
    for (const r of records) r.live = false;
    lastClose = { code, reason };
    if (stopped) return;
    if (opened && now() - openedAt >= timing.stableAfterMs) attempt = 0;
    chooseTransport(opened);
    if (records.size === 0) {
      state = 'idle'; // nothing to receive: connect again on the next subscribe
      emit();
      return;
    }
    const delay = retryDelay(code, attempt, random, backoff);
    attempt++;
    state = 'reconnecting';
    retryTimer = later(open, delay);
    emit({ retryAt: now() + delay, retryIn: delay });
  }

  // chooseTransport picks the transport of the next attempt in 'auto' mode
  // (see WS_FAILURES_BEFORE_SSE).
  function chooseTransport(opened) {
    if (wanted !== 'auto' || typeof WS !== 'function' || typeof ES !== 'function') return;
    if (transport === 'websocket') {
      if (!opened && ++wsFailures >= WS_FAILURES_BEFORE_SSE) transport = 'sse';
      return;
    }
    transport = 'websocket';
    wsFailures = opened ? WS_FAILURES_BEFORE_SSE - 1 : 0;
  }

  // --- WebSocket: frames, ops, silence ---

  function send(op) {
    const c = conn;
    if (!c || c.kind !== 'websocket' || !c.opened) return false;
    try {
      c.sock.send(c.binary ? encode(op) : JSON.stringify(op));
      return true;
    } catch (e) {
      report({ code: 'client', msg: `send failed: ${errText(e)}`, error: e });
      return false;
    }
  }

  function receiveFrame(c, data) {
    if (typeof data === 'string') {
      // JSON: messages separated by "\n", a trailing "\n" allowed.
      let start = 0;
      while (start < data.length && conn === c) {
        let end = data.indexOf('\n', start);
        if (end < 0) end = data.length;
        if (end > start) {
          const line = data.slice(start, end);
          let m;
          try {
            m = JSON.parse(line);
          } catch {
            report({ code: 'client', msg: `unreadable message from server: ${line.slice(0, 80)}` });
            m = null;
          }
          if (m) handle(m);
        }
        start = end + 1;
      }
      return;
    }
    let bytes = null;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!bytes || typeof decode !== 'function') {
      report({ code: 'client', msg: 'binary frame, but no msgpack decoder' });
      return;
    }
    let msgs;
    try {
      msgs = decode(bytes);
    } catch (e) {
      report({ code: 'client', msg: `unreadable msgpack frame: ${errText(e)}`, error: e });
      return;
    }
    for (const m of Array.isArray(msgs) ? msgs : [msgs]) {
      if (conn !== c) return; // a handler closed the client or the connection
      handle(m);
    }
  }

  function handle(m) {
    if (!m || typeof m !== 'object') return;
    switch (m.op) {
      case 'msg':
        if (typeof m.subject === 'string') deliver(m);
        break;
      case 'ack':
        acked(m.id);
        break;
      case 'error':
        refused(m);
        break;
      default:
        break; // pong (receiving it reset the silence clock) and ops this client does not know
    }
  }

  function deliver(m) {
    const subject = m.subject;
    const targets = [];
    const handlers = new Set();
    for (const r of records) {
      if (handlers.has(r.handler)) continue;
      for (const p of r.patterns) {
        if (matches(p, subject)) {
          handlers.add(r.handler);
          targets.push(r);
          break;
        }
      }
    }
    if (targets.length === 0) return; // in flight when it was unsubscribed
    const msg = { subject, data: m.data, snapshot: m.snapshot === true };
    const raw = m.data?.seq;
    const seq = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof seq === 'number' && Number.isFinite(seq)) {
      const prev = lastSeq.get(subject);
      if (prev !== undefined && seq > prev + 1) msg.gap = seq - prev - 1;
      // Lower or equal: a replayed snapshot or a restarted publisher, no gap.
      lastSeq.set(subject, seq);
    }
    for (const r of targets) {
      if (!r.active) continue; // an earlier handler unsubscribed it
      try {
        r.handler(msg);
      } catch (e) {
        report({ code: 'client', msg: `handler for ${subject} threw: ${errText(e)}`, error: e });
      }
    }
  }

  function acked(id) {
    const op = pending.get(id);
    if (!op) return;
    pending.delete(id);
    if (op.kind === 'sub') {
      for (const r of op.records) if (records.has(r)) confirm(r);
      emitIfChanged();
    }
  }

  function refused(m) {
    const op = m.id === undefined || m.id === null ? undefined : pending.get(m.id);
    if (!op) {
      report(m);
      return;
    }
    pending.delete(m.id);
    if (op.kind !== 'sub') {
      report({ ...m, subjects: op.patterns });
      return;
    }
    const alive = op.records.filter((r) => records.has(r));
    if (m.code === 'rate_limited') {
      const c = conn;
      later(() => {
        if (conn === c) sendSub(alive.filter((r) => records.has(r)), op.resub);
      }, timing.rateLimitRetryMs);
      return;
    }
    if (op.resub && alive.length > 1) {
      // A sub is all-or-nothing: find the culprits one subscription at a time.
      for (const r of alive) sendSub([r], true);
      return;
    }
    for (const r of alive) refuse(r, { ...m, subjects: [...r.patterns] });
    emitIfChanged();
  }

  function confirm(r) {
    r.live = true;
    if (!r.confirmed) {
      r.confirmed = true;
      r.resolve();
    }
  }

  function refuse(r, err) {
    records.delete(r);
    r.active = false;
    forgetUnmatched();
    r.reject(err);
    report(err);
  }

  function sendSub(recs, resub) {
    const patterns = [...new Set(recs.flatMap((r) => [...r.patterns]))];
    if (patterns.length === 0) return;
    const id = nextId++;
    pending.set(id, { kind: 'sub', records: recs, patterns, resub });
    send({ op: 'sub', id, subjects: patterns });
  }

  // resubscribeAll sends every held pattern on a new connection: one op for
  // all of them unless that would make a large frame.
  function resubscribeAll() {
    let batch = [];
    let bytes = 0;
    for (const r of records) {
      const size = [...r.patterns].reduce((n, p) => n + p.length + 3, 0);
      if (batch.length && bytes + size > RESUB_OP_BYTES) {
        sendSub(batch, true);
        batch = [];
        bytes = 0;
      }
      batch.push(r);
      bytes += size;
    }
    if (batch.length) sendSub(batch, true);
  }

  // checkIdle pings a quiet server and gives up on a silent one, which catches
  // half-open connections the browser would not notice for minutes.
  function checkIdle() {
    idleTimer = null;
    const c = conn;
    if (!c || c.kind !== 'websocket' || !c.opened) return;
    const idle = now() - lastRx;
    if (idle >= timing.idleCloseMs) {
      const reason = `nothing received for ${Math.round(idle / 1000)} s`;
      detach(c, CLIENT_TIMEOUT_CODE, reason);
      ended(CLIENT_TIMEOUT_CODE, reason, true);
      return;
    }
    if (idle >= timing.idlePingMs && !pinged) {
      pinged = true;
      send({ op: 'ping', id: nextId++ });
    }
    idleTimer = later(checkIdle, timing.idleCheckMs);
  }

  // --- subscriptions changing ---

  // changed brings the connection in line with the held patterns: on
  // WebSocket, ops were sent already, so only an idle client needs to
  // connect; on SSE the stream is reopened with the new list, after a short
  // pause that gathers a burst of edits into one reopen.
  function changed() {
    if (stopped) return;
    if (transport === 'websocket') {
      if (state === 'idle' && records.size > 0) open();
      else emitIfChanged();
      return;
    }
    if (state === 'reconnecting') return; // the next attempt takes the new list
    reopenTimer = cancel(reopenTimer);
    reopenTimer = later(() => {
      reopenTimer = null;
      const c = conn;
      if (c) detach(c);
      conn = null;
      openSse(state === 'open');
    }, timing.sseDebounceMs);
    emitIfChanged();
  }

  function removePatterns(recs, drop) {
    const before = heldPatterns();
    for (const r of recs) {
      for (const p of drop) r.patterns.delete(p);
      if (r.patterns.size === 0 && records.delete(r)) {
        r.active = false;
        r.resolve(); // a ready still waiting will not be refused any more
      }
    }
    const after = heldPatterns();
    const gone = [...before].filter((p) => !after.has(p));
    if (gone.length === 0) return;
    forgetUnmatched();
    if (transport === 'websocket') {
      if (conn?.opened) {
        const id = nextId++;
        pending.set(id, { kind: 'unsub', records: [], patterns: gone });
        send({ op: 'unsub', id, subjects: gone });
      }
    }
    changed();
  }

  function forgetUnmatched() {
    const held = [...heldPatterns()];
    for (const subject of lastSeq.keys()) {
      if (!held.some((p) => matches(p, subject))) lastSeq.delete(subject);
    }
  }

  function patternList(patterns, what) {
    const list = typeof patterns === 'string' ? [patterns] : Array.isArray(patterns) ? patterns : null;
    if (!list || list.length === 0) throw new TypeError(`ticker: ${what} needs an array of patterns`);
    return [...new Set(list)];
  }

  // --- the client ---

  const client = {
    /**
     * subscribe adds patterns and calls handler with every message on a
     * matching subject, snapshots first. One sub op is sent per call; the
     * patterns are sent again after every reconnect.
     * @param {string[]} patterns
     * @param {(msg: Message) => void} handler
     * @returns {Subscription}
     */
    subscribe(patterns, handler) {
      if (stopped) throw new Error('ticker: subscribe on a closed client');
      if (typeof handler !== 'function') throw new TypeError('ticker: subscribe needs a handler');
      const list = patternList(patterns, 'subscribe');
      const r = {
        patterns: new Set(list), handler, active: true, live: false, confirmed: false,
        resolve: noop, reject: noop, ready: null, api: null,
      };
      r.ready = new Promise((resolve, reject) => {
        r.resolve = resolve;
        r.reject = reject;
      });
      r.ready.catch(noop); // a refusal is also reported to onError
      r.api = {
        get patterns() { return [...r.patterns]; },
        get active() { return r.active; },
        ready: r.ready,
        unsubscribe(some) {
          if (r.active) removePatterns([r], some === undefined ? [...r.patterns] : patternList(some, 'unsubscribe'));
        },
      };
      const bad = list.find((p) => patternError(p) !== '');
      if (bad !== undefined) {
        r.active = false;
        const err = { op: 'error', code: 'bad_subject', msg: `subject ${JSON.stringify(bad)}: ${patternError(bad)}`, subjects: list };
        r.reject(err);
        report(err);
        return r.api;
      }
      records.add(r);
      if (transport === 'websocket' && conn?.opened) sendSub([r], false);
      changed();
      return r.api;
    },

    /**
     * unsubscribe removes patterns from every subscription holding them (a
     * subscription left with none ends); the server is told about patterns
     * no subscription holds any more.
     * @param {string[]} patterns
     */
    unsubscribe(patterns) {
      if (!stopped) removePatterns([...records], patternList(patterns, 'unsubscribe'));
    },

    /** reconnectNow starts the next attempt at once when one is waiting. */
    reconnectNow() {
      if (!stopped && state === 'reconnecting') open();
    },

    /** close ends the connection and every timer; the client cannot be used again. */
    close() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimer(t);
      timers.clear();
      retryTimer = idleTimer = reopenTimer = null;
      const c = conn;
      conn = null;
      if (c) detach(c, 1000, 'closed by client');
      pending.clear();
      for (const r of records) {
        r.active = false;
        if (!r.confirmed) r.reject({ op: 'error', code: 'closed', msg: 'client closed', subjects: [...r.patterns] });
      }
      records.clear();
      lastSeq.clear();
      lastClose = { code: 1000, reason: 'closed by client' };
      state = 'closed';
      emit();
    },
  };

  open();
  return client;
}
