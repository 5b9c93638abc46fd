// The Server-Sent Events transport of the ticker.js client (see Transport in
// client.js): one EventSource on /sse whose URL names the subjects, fixed for
// the stream's life (docs/protocol.md, section 11). It sends no ops: to change
// the subjects the client opens a new stream. It turns the server's
// "event: close" into a close code, stops EventSource's own reconnecting (the
// client's backoff decides), and asks with fetch why a stream was refused,
// which EventSource cannot tell: a 429 or 503 is a 1013, with the server's
// Retry-After as its hint when the response lets fetch read the header (a
// cross-origin one must expose it; otherwise there is no hint).

import { hintReason, retryAfterMs } from './backoff.js';
import { clientError } from './errors.js';

const EVENTSOURCE_CLOSED = 2;
const PROBE_TIMEOUT_MS = 10_000; // how long to wait for the answer to a refused SSE stream

/**
 * @typedef {object} SseOptions
 * @property {string} url the stream's URL, subjects and token included
 * @property {any} EventSource the EventSource constructor
 * @property {any} [fetch] fetch, to learn why a stream was refused (none: do not ask)
 * @property {import('./timers.js').Timers} timers
 * @property {{connectTimeoutMs: number}} timing
 * @property {(err: object) => void} report errors not tied to an op
 */

/**
 * openSse starts an SSE attempt. It throws what the EventSource constructor
 * throws. Besides the events of every transport it reports onRefused(err)
 * when the server refused the stream's subjects (HTTP 400 or 403) with an
 * error object; the transport has ended then.
 * @param {SseOptions} o
 * @param {import('./client.js').TransportEvents} events
 * @returns {import('./client.js').Transport}
 */
export function openSse(o, events) {
  const { timers } = o;
  const es = new o.EventSource(o.url);
  let done = false; // closed, or reported its end: no more events
  let connectTimer = null;
  let abort = null; // the probe's AbortController

  const t = {
    name: 'sse',
    opened: false,
    protocol: '',
    binary: false,
    canSend: false,
    send() {
      return false;
    },
    close() {
      if (done) return;
      done = true;
      abort?.abort();
      detach();
    },
  };

  // detach stops the EventSource and its events; a probe may still follow.
  function detach() {
    connectTimer = timers.cancel(connectTimer);
    es.onopen = es.onmessage = es.onerror = null;
    es.removeEventListener('close', onCloseEvent);
    es.close();
  }

  function end(code, reason, opened) {
    done = true;
    events.onClose(code, reason, opened);
  }

  // An attempt that neither opens nor fails has failed after connectTimeoutMs.
  connectTimer = timers.later(() => {
    connectTimer = null;
    if (done || t.opened) return;
    t.close();
    events.onClose(1006, 'connect timeout', false);
  }, o.timing.connectTimeoutMs);

  es.onopen = () => {
    if (done) return;
    t.opened = true;
    connectTimer = timers.cancel(connectTimer);
    events.onOpen();
  };
  es.onmessage = (ev) => {
    if (done) return;
    let m;
    try {
      m = JSON.parse(ev.data);
    } catch {
      o.report(clientError(`unreadable event from server: ${String(ev.data).slice(0, 80)}`));
      return;
    }
    events.onMessage(m);
  };
  // The server ends a stream on purpose with "event: close" and a close code.
  function onCloseEvent(ev) {
    if (done) return;
    let info = {};
    try {
      info = JSON.parse(ev.data) ?? {};
    } catch {
      // keep the defaults
    }
    detach();
    end(Number.isInteger(info.code) ? info.code : 1006, String(info.reason ?? ''), t.opened);
  }
  es.addEventListener('close', onCloseEvent);
  es.onerror = () => {
    if (done) return;
    // CLOSED before opening: the server answered but not with a stream
    // (400/403 for a refused subscription, 503 while draining). EventSource
    // cannot show the answer, so ask again with fetch to learn why.
    const refused = !t.opened && es.readyState === EVENTSOURCE_CLOSED;
    detach(); // and stop EventSource's own reconnecting: the backoff is ours
    if (refused && typeof o.fetch === 'function') probe();
    else end(1006, t.opened ? 'stream lost' : 'stream failed', t.opened);
  };

  async function probe() {
    const ctl = typeof AbortController === 'function' ? new AbortController() : null;
    abort = ctl;
    const timeout = timers.later(() => ctl?.abort(), PROBE_TIMEOUT_MS);
    let status = 0;
    let refusal = null;
    let hint = null; // 429 or 503: Retry-After, when the response lets us read it
    try {
      const res = await o.fetch(o.url, { signal: ctl?.signal, headers: { Accept: 'text/event-stream' } });
      status = res.status;
      if (status === 429 || status === 503) hint = retryAfterMs(res.headers?.get?.('Retry-After') ?? null);
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
    timers.cancel(timeout);
    ctl?.abort(); // never keep a stream that answered 200 this time
    if (done) return; // closed meanwhile
    if (refusal) {
      done = true;
      events.onRefused(refusal);
    } else if (status === 401) end(1008, 'HTTP 401', false);
    else if (status === 429 || status === 503) end(1013, hint !== null ? hintReason(status, hint) : `HTTP ${status}`, false);
    else end(1006, status ? `HTTP ${status}` : 'stream failed', false);
  }

  return t;
}
