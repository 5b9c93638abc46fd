// Test doubles for ticker.js and its modules: a fake clock (setTimeout, clearTimeout, now),
// a fake WebSocket and a fake EventSource, each driven by the test as the
// server would. Not a test file itself.

import { decodeAll } from '../msgpack.js';
import { connect } from '../ticker.js';

export class FakeClock {
  constructor(start = 1_700_000_000_000) {
    this.t = start;
    this.timers = new Map(); // id -> {at, fn}
    this.seq = 0;
    this.now = () => this.t;
    this.setTimeout = (fn, ms) => {
      const id = ++this.seq;
      this.timers.set(id, { at: this.t + Math.max(0, ms || 0), fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
  }

  /** pending is the number of timers not yet run or cleared. */
  get pending() {
    return this.timers.size;
  }

  /** nextIn is how long until the earliest timer fires (Infinity if none). */
  get nextIn() {
    let at = Infinity;
    for (const t of this.timers.values()) at = Math.min(at, t.at);
    return at - this.t;
  }

  /** advance moves time forward by ms, running the timers that come due in order. */
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (next === null || t.at < next[1].at)) next = [id, t];
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

/** fakeWebSocket returns a new WebSocket class whose instances the test drives. */
export function fakeWebSocket() {
  return class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    static instances = [];
    static get last() {
      return FakeWebSocket.instances.at(-1);
    }

    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.readyState = 0;
      this.protocol = '';
      this.binaryType = 'blob';
      this.sent = [];
      this.closedWith = null;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      FakeWebSocket.instances.push(this);
    }

    send(data) {
      if (this.readyState !== 1) throw new Error('InvalidStateError');
      this.sent.push(data);
    }

    close(code, reason) {
      this.closedWith = { code, reason };
      this.readyState = 3;
    }

    /** ops are the ops the client sent, decoded (JSON text or msgpack bytes). */
    get ops() {
      return this.sent.map((d) => (typeof d === 'string' ? JSON.parse(d) : decodeAll(d)[0]));
    }

    // The server's side.
    accept(protocol = typeof this.protocols === 'string' ? this.protocols : '') {
      this.protocol = protocol;
      this.readyState = 1;
      this.onopen?.({});
    }

    message(data) {
      this.onmessage?.({ data });
    }

    /** drop ends the connection with a close code, as the browser reports it. */
    drop(code = 1006, reason = '') {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean: code !== 1006 });
    }

    /** fail is an attempt that never opens: error, then close 1006. */
    fail() {
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code: 1006, reason: '', wasClean: false });
    }
  };
}

/** fakeEventSource returns a new EventSource class whose instances the test drives. */
export function fakeEventSource() {
  return class FakeEventSource {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSED = 2;
    static instances = [];
    static get last() {
      return FakeEventSource.instances.at(-1);
    }

    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.closed = false;
      this.listeners = new Map();
      this.onopen = this.onmessage = this.onerror = null;
      FakeEventSource.instances.push(this);
    }

    addEventListener(type, fn) {
      if (!this.listeners.has(type)) this.listeners.set(type, new Set());
      this.listeners.get(type).add(fn);
    }

    removeEventListener(type, fn) {
      this.listeners.get(type)?.delete(fn);
    }

    close() {
      this.readyState = 2;
      this.closed = true;
    }

    /** subjects is the subject list of the URL, in order. */
    get subjects() {
      return new URL(this.url).searchParams.get('subjects').split(',');
    }

    // The server's side.
    accept() {
      this.readyState = 1;
      this.onopen?.({});
    }

    send(obj) {
      this.onmessage?.({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
    }

    /** end is the server ending the stream on purpose: "event: close". */
    end(code, reason) {
      for (const fn of this.listeners.get('close') ?? []) fn({ data: JSON.stringify({ code, reason }) });
    }

    /** fail is an error event; readyState 0 means the browser retries, 2 that it gave up. */
    fail(readyState = 0) {
      this.readyState = readyState;
      this.onerror?.({});
    }
  };
}

/** quote returns a quote message with the given seq. */
export function quoteMsg(symbol, seq, extra = {}) {
  return {
    op: 'msg',
    subject: `quotes.${symbol}`,
    data: { symbol, bid: 1, ask: 2, last: 1.5, size: 1, volume: 10, seq, ts: 1_700_000_000_000_000_000 },
    ...extra,
  };
}

/**
 * setup connects a client to fakes and records what it reports. Options are
 * passed on, after the fakes (so a test can set WebSocket: undefined); url,
 * the gateway's endpoint or endpoints, is connect's first argument.
 */
export function setup({ url = 'ws://gw.test/ws', ...options } = {}) {
  const clock = new FakeClock();
  const WS = fakeWebSocket();
  const ES = fakeEventSource();
  const statuses = [];
  const errors = [];
  const client = connect(url, {
    WebSocket: WS,
    EventSource: ES,
    fetch: undefined,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random: () => 0.5,
    onStatus: (s) => statuses.push(s),
    onError: (e) => errors.push(e),
    ...options,
  });
  return { clock, WS, ES, client, statuses, errors, get status() { return statuses.at(-1); } };
}

/** ack answers every sub and unsub op the socket sent after index from. */
export function ackAll(ws, from = 0) {
  const ops = ws.ops.slice(from).filter((o) => o.op === 'sub' || o.op === 'unsub');
  ws.message(ops.map((o) => JSON.stringify({ op: 'ack', id: o.id })).join('\n'));
  return ops;
}
