// The state machine of the ticker.js client: one connection at a time, over
// the transport TransportChoice picks (fallback.js), through the states
//
//   connecting -> open -> reconnecting -> connecting ...     (backoff.js waits)
//   idle: no subscription held, nothing connected; the next subscribe connects
//   closed: close() was called; final
//
// It routes what the server sends to the subscription registry
// (subscriptions.js), brings the connection in line when subscriptions
// change, and reports its Status. ticker.js checks the options and builds
// the Config; this module trusts them.

import { retryDelay, retryHint } from './backoff.js';
import { clientError, errText } from './errors.js';
import { TransportChoice } from './fallback.js';
import { Subscriptions, patternList } from './subscriptions.js';
import { openSse } from './transport-sse.js';
import { openWebSocket } from './transport-ws.js';
import { nextUrl, withParams } from './url.js';
import { sseParams } from './delta.js';
import { refreshDelay, refreshRetry, tokenExpiry } from './token.js';

/**
 * A Transport is one connection attempt and, once open, the connection. The
 * WebSocket (transport-ws.js) and SSE (transport-sse.js) transports implement
 * it. After close(), or after it reported onClose or onRefused, a transport
 * reports nothing more.
 * @typedef {object} Transport
 * @property {'websocket'|'sse'} name
 * @property {boolean} opened the connection opened
 * @property {string} protocol WebSocket: the subprotocol the server chose ('' = none)
 * @property {boolean} binary the wire is msgpack
 * @property {boolean} canSend ops can be sent now (an open WebSocket)
 * @property {(op: object) => boolean} send sends one op; false when it was not sent
 * @property {(code?: number, reason?: string) => void} close ends it without an onClose
 */

/**
 * What a transport reports to the client.
 * @typedef {object} TransportEvents
 * @property {() => void} onOpen the connection opened
 * @property {(m: any) => void} onMessage one message from the server, decoded
 * @property {(code: number, reason: string, opened: boolean) => void} onClose it ended, or
 *   failed to open (opened false), with a WebSocket close code
 * @property {(err: object) => void} [onRefused] SSE: the server refused the stream's subjects
 */

/**
 * Config is what ticker.js's connect resolved from its options.
 * @typedef {object} Config
 * @property {{ws: string, sse: string}[]} endpoints the gateways: each one's WebSocket endpoint,
 *   token included, and SSE endpoint, without query
 * @property {string} [token]
 * @property {() => Promise<string>} [getToken] a fresh token for every attempt and ahead of exp
 * @property {'json'|'msgpack'} codec
 * @property {((bytes: Uint8Array) => unknown[])|undefined} decode
 * @property {(op: object) => Uint8Array} encode
 * @property {'auto'|'websocket'|'sse'} wanted
 * @property {any} WebSocket
 * @property {any} EventSource
 * @property {any} fetch
 * @property {(status: import('./ticker.js').Status) => void} onStatus
 * @property {(err: import('./ticker.js').TickerError) => void} onError
 * @property {import('./timers.js').Timers} timers
 * @property {() => number} now
 * @property {() => number} random
 * @property {import('./backoff.js').BackoffPolicy} backoff
 * @property {typeof import('./ticker.js').DEFAULT_TIMING} timing
 */

/**
 * createClient starts the client of config and returns its API (see Client
 * in ticker.js).
 * @param {Config} config
 * @returns {import('./ticker.js').Client}
 */
export function createClient(config) {
  const { timers, timing, now } = config;
  const choice = new TransportChoice(config.wanted, {
    websocket: typeof config.WebSocket === 'function',
    sse: typeof config.EventSource === 'function',
  });

  let state = 'connecting';
  let stopped = false;
  let attempt = 0; // failed connections since the last stable one
  let at = 0; // the index in config.endpoints of the current or next attempt
  let lastClose = null;
  /** @type {Transport|null} */
  let conn = null;
  let openedAt = 0;
  let nextId = 1;
  let retryTimer = null;
  let reopenTimer = null;
  let shown = ''; // state and subscribed as last shown, to skip repeats
  let token = config.token; // the token of the current or next connection
  let tokenGen = 0; // counts getToken calls at connect, so that a late answer is dropped
  let refreshTimer = null;
  let refreshFails = 0;
  let authId = null; // the auth op in flight
  let authToken = '';

  const newId = () => nextId++;

  function report(err) {
    try {
      config.onError(err);
    } catch {
      // an error handler that throws has nowhere left to report to
    }
  }

  const subs = new Subscriptions({
    send: (op) => (conn ? conn.send(op) : false),
    nextId: newId,
    timers,
    rateLimitRetryMs: timing.rateLimitRetryMs,
    report,
    onChange: emitIfChanged,
    onRemoved(gone) {
      if (conn?.canSend) subs.sendUnsub(gone);
      changed();
    },
    resync(recs) {
      if (conn?.canSend) subs.sendSub(recs, false);
      else if (conn?.name === 'sse') reopenSse();
    },
  });

  // --- status ---

  function emit(extra) {
    const subscribed = state === 'open' && subs.allLive();
    shown = `${state} ${subscribed}`;
    const st = {
      state,
      transport: choice.current,
      codec: conn?.opened ? (conn.binary ? 'msgpack' : 'json') : choice.current === 'sse' ? 'json' : config.codec,
      protocol: conn?.protocol ?? '',
      subscribed,
      attempt,
      lastClose,
      ...extra,
    };
    try {
      config.onStatus(st);
    } catch (e) {
      report(clientError(`onStatus threw: ${errText(e)}`, e));
    }
  }

  function emitIfChanged() {
    if (`${state} ${state === 'open' && subs.allLive()}` !== shown) emit();
  }

  // --- connecting ---

  function open() {
    retryTimer = timers.cancel(retryTimer);
    if (stopped) return;
    if (typeof config.getToken !== 'function') {
      start();
      return;
    }
    // A fresh token for every attempt; the attempt waits for it.
    const gen = ++tokenGen;
    state = 'connecting';
    emit();
    Promise.resolve()
      .then(() => config.getToken())
      .then((t) => {
        if (stopped || gen !== tokenGen) return;
        token = typeof t === 'string' && t !== '' ? t : undefined;
        start();
      }, (err) => {
        if (stopped || gen !== tokenGen) return;
        report(clientError(`getToken failed: ${errText(err)}`, err));
        ended(1006, `token: ${errText(err)}`, false);
      });
  }

  function start() {
    if (choice.current === 'sse') startSse(false);
    else startWebSocket();
  }

  // --- token refresh (token.js) ---

  // scheduleRefresh arms the refresh of the current token ahead of its exp.
  function scheduleRefresh() {
    refreshTimer = timers.cancel(refreshTimer);
    if (typeof config.getToken !== 'function') return;
    const exp = tokenExpiry(token);
    if (!exp) return;
    refreshTimer = timers.later(refresh, refreshDelay(exp - now(), config.random()));
  }

  function refresh() {
    refreshTimer = null;
    const c = conn;
    Promise.resolve()
      .then(() => config.getToken())
      .then((t) => {
        if (stopped || conn !== c || !c) return;
        if (typeof t !== 'string' || t === '') throw new Error('getToken returned no token');
        if (c.name === 'sse') {
          token = t; // SSE cannot send ops: reconnect the stream with it
          reopenSse();
          return;
        }
        authId = newId();
        authToken = t;
        if (!c.send({ op: 'auth', id: authId, token: t })) authId = null;
      })
      .catch((err) => {
        if (stopped || conn !== c) return;
        refreshFailed(clientError(`getToken failed: ${errText(err)}`, err), true);
      });
  }

  // refreshFailed reports a failed refresh and retries with backoff while
  // the old token lasts (retry false: a gateway without token refresh).
  function refreshFailed(err, retry) {
    refreshFails++;
    const wait = retry ? refreshRetry(refreshFails, config.random(), tokenExpiry(token) - now()) : -1;
    report(wait >= 0 ? { ...err, retryIn: wait } : err);
    if (wait >= 0) refreshTimer = timers.later(refresh, wait);
  }

  // authAnswered handles the ack or error of the auth op.
  function authAnswered(m) {
    authId = null;
    if (m.op === 'ack') {
      token = authToken;
      refreshFails = 0;
      scheduleRefresh();
      return;
    }
    refreshFailed({ ...m, op: 'error' }, m.code === 'bad_token');
  }

  function reopenSse() {
    reopenTimer = timers.cancel(reopenTimer);
    conn?.close();
    conn = null;
    startSse(state === 'open');
  }

  function startWebSocket() {
    state = 'connecting';
    const events = {
      onOpen() {
        openedAt = now();
        choice.opened();
        state = 'open';
        subs.resubscribeAll();
        scheduleRefresh();
        emit();
      },
      onMessage: handle,
      onClose: ended,
    };
    const wsUrl = config.endpoints[at].ws;
    try {
      conn = openWebSocket({
        url: token !== config.token ? withParams(wsUrl, { token }) : wsUrl, codec: config.codec, WebSocket: config.WebSocket, encode: config.encode,
        decode: config.decode, timers, timing, now, nextId: newId, report,
      }, events);
    } catch (err) {
      emit();
      ended(1006, errText(err), false);
      return;
    }
    emit();
  }

  // startSse opens a stream for the held patterns; reopen: the subjects
  // changed on an open stream, which is not a reconnect.
  function startSse(reopen) {
    const patterns = [...subs.held()];
    if (patterns.length === 0) {
      conn = null;
      state = 'idle';
      emit();
      return;
    }
    if (!reopen) state = 'connecting';
    const recs = subs.list(); // what this stream is opened for
    const events = {
      onOpen() {
        openedAt = now();
        state = 'open';
        subs.confirmAll(recs);
        scheduleRefresh();
        emit();
      },
      onMessage: handle,
      onClose: ended,
      onRefused: (err) => streamRefused(recs, err),
    };
    try {
      conn = openSse({
        url: withParams(config.endpoints[at].sse, { subjects: patterns.join(','), token, ...sseParams(recs) }),
        EventSource: config.EventSource, fetch: config.fetch, timers, timing, report,
      }, events);
    } catch (err) {
      emit();
      ended(1006, errText(err), false);
      return;
    }
    emit();
  }

  // streamRefused: the records the refusal names are refused and the rest
  // reopen; when it names none of the new ones, the stream failed.
  function streamRefused(recs, err) {
    conn = null;
    if (!subs.refuseStream(recs, err)) {
      report(err);
      ended(1008, err.msg ?? err.code, false);
      return;
    }
    if (!stopped) startSse(false);
  }

  // ended runs once per connection that ends (or fails to start) and
  // schedules the next attempt.
  function ended(code, reason, opened) {
    conn = null;
    reopenTimer = timers.cancel(reopenTimer);
    refreshTimer = timers.cancel(refreshTimer);
    authId = null;
    refreshFails = 0;
    subs.disconnected();
    lastClose = { code, reason };
    if (stopped) return;
    if (opened && now() - openedAt >= timing.stableAfterMs) attempt = 0;
    choice.ended(opened);
    at = nextUrl(at, config.endpoints.length, code, config.random); // also for the attempt an idle client makes later
    if (subs.size === 0) {
      state = 'idle'; // nothing to receive: connect again on the next subscribe
      emit();
      return;
    }
    const delay = retryDelay(code, attempt, config.random, config.backoff, reason);
    const hint = code === 1013 ? retryHint(reason) : null;
    attempt++;
    state = 'reconnecting';
    retryTimer = timers.later(open, delay);
    emit({ retryAt: now() + delay, retryIn: delay, ...(hint !== null && { retryHint: hint }) });
  }

  // handle routes one message from the server.
  function handle(m) {
    if (!m || typeof m !== 'object') return;
    switch (m.op) {
      case 'msg':
        if (typeof m.subject === 'string') subs.deliver(m);
        break;
      case 'ack':
        if (authId !== null && m.id === authId) authAnswered(m);
        else subs.acked(m.id);
        break;
      case 'error':
        if (authId !== null && m.id === authId) authAnswered(m);
        else subs.refused(m);
        break;
      case 'revoked':
        subs.revoked(m);
        break;
      default:
        break; // pong (receiving it reset the silence clock) and ops this client does not know
    }
  }

  // changed brings the connection in line with the held patterns: on
  // WebSocket, ops were sent already, so only an idle client needs to
  // connect; on SSE the stream is reopened with the new list, after a short
  // pause that gathers a burst of edits into one reopen.
  function changed() {
    if (stopped) return;
    if (choice.current === 'websocket') {
      if (state === 'idle' && subs.size > 0) open();
      else emitIfChanged();
      return;
    }
    if (state === 'reconnecting') return; // the next attempt takes the new list
    reopenTimer = timers.cancel(reopenTimer);
    reopenTimer = timers.later(() => {
      reopenTimer = null;
      conn?.close();
      conn = null;
      startSse(state === 'open');
    }, timing.sseDebounceMs);
    emitIfChanged();
  }

  // --- the client ---

  const client = {
    /**
     * subscribe adds patterns and calls handler with every message on a
     * matching subject, snapshots first. One sub op is sent per call; the
     * patterns are sent again after every reconnect.
     * @param {string[]} patterns
     * @param {(msg: import('./ticker.js').Message) => void} handler
     * @param {import('./ticker.js').SubscribeOptions} [opts]
     * @returns {import('./ticker.js').Subscription}
     */
    subscribe(patterns, handler, opts) {
      if (stopped) throw new Error('ticker: subscribe on a closed client');
      if (typeof handler !== 'function') throw new TypeError('ticker: subscribe needs a handler');
      const r = subs.add(patternList(patterns, 'subscribe'), handler, opts);
      if (!r.active) return r.api; // refused at once: a pattern breaks the rules
      if (conn?.canSend) subs.sendSub([r], false);
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
      if (!stopped) subs.unsubscribe(patternList(patterns, 'unsubscribe'));
    },

    /** reconnectNow starts the next attempt at once when one is waiting. */
    reconnectNow() {
      if (!stopped && state === 'reconnecting') open();
    },

    /** close ends the connection and every timer; the client cannot be used again. */
    close() {
      if (stopped) return;
      stopped = true;
      timers.clear();
      retryTimer = reopenTimer = null;
      const c = conn;
      conn = null;
      c?.close(1000, 'closed by client');
      subs.close();
      lastClose = { code: 1000, reason: 'closed by client' };
      state = 'closed';
      emit();
    },
  };

  open();
  return client;
}
