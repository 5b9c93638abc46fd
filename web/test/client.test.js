// The state machine in client.js, driven through createClient with a Config
// (connect in ticker.js builds one from its options; see ticker-*.test.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../client.js';
import { DEFAULT_BACKOFF } from '../backoff.js';
import { encode, decodeAll } from '../msgpack.js';
import { Timers } from '../timers.js';
import { DEFAULT_TIMING } from '../ticker.js';
import { FakeClock, ackAll, fakeEventSource, fakeWebSocket } from './fakes.js';

function start(extra = {}) {
  const clock = new FakeClock();
  const WS = fakeWebSocket();
  const ES = fakeEventSource();
  const statuses = [];
  const errors = [];
  const client = createClient({
    endpoints: [{ ws: 'ws://gw.test/ws', sse: 'http://gw.test/sse' }], codec: 'json', decode: decodeAll, encode,
    wanted: 'auto', WebSocket: WS, EventSource: ES, fetch: undefined,
    onStatus: (s) => statuses.push(s), onError: (e) => errors.push(e),
    timers: new Timers(clock.setTimeout, clock.clearTimeout), now: clock.now, random: () => 0.5,
    backoff: DEFAULT_BACKOFF, timing: DEFAULT_TIMING,
    ...extra,
  });
  return { client, clock, WS, ES, statuses, errors };
}

const states = (statuses) => statuses.map((s) => (s.state === 'open' ? `open${s.subscribed ? '+' : ''}` : s.state));

test('client: the states of a life, each shown once', () => {
  const t = start();
  t.client.subscribe(['quotes.A'], () => {});
  t.WS.last.accept();
  ackAll(t.WS.last);
  t.WS.last.drop(1006);
  t.clock.advance(t.clock.nextIn);
  t.WS.last.accept();
  ackAll(t.WS.last);
  t.client.unsubscribe(['quotes.A']);
  t.WS.last.drop(1008, 'idle: no subscriptions');
  t.client.close();
  assert.deepEqual(states(t.statuses), [
    'connecting', 'open', 'open+', 'reconnecting', 'connecting', 'open', 'open+', 'idle', 'closed',
  ]);
  assert.equal(t.clock.pending, 0);
});

test('client: a status names the transport, the codec on the wire and the last close', () => {
  const t = start({ codec: 'msgpack' });
  assert.deepEqual(
    { ...t.statuses[0] },
    { state: 'connecting', transport: 'websocket', codec: 'msgpack', protocol: '', subscribed: false, attempt: 0, lastClose: null },
  );
  t.client.subscribe(['quotes.A'], () => {});
  t.WS.last.accept('ticker.v1.msgpack');
  assert.equal(t.statuses.at(-1).protocol, 'ticker.v1.msgpack');
  t.WS.last.drop(1011, 'oops');
  const st = t.statuses.at(-1);
  assert.deepEqual([st.state, st.attempt, st.lastClose], ['reconnecting', 1, { code: 1011, reason: 'oops' }]);
  assert.equal(st.retryAt, t.clock.now() + st.retryIn);
  t.client.close();
});

test('client: an onStatus that throws is reported and changes nothing', () => {
  const t = start({ onStatus: () => { throw new Error('ui'); } });
  t.client.subscribe(['quotes.A'], () => {});
  t.WS.last.accept();
  assert.match(t.errors[0].msg, /onStatus threw: ui/);
  assert.equal(t.WS.last.ops.length, 1, 'still subscribed');
  t.client.close();
});

test('client: a WebSocket constructor that throws is a failed attempt, backed off', () => {
  let n = 0;
  class Flaky {
    constructor() {
      n++;
      throw new SyntaxError('blocked port');
    }
  }
  const t = start({ WebSocket: Flaky, wanted: 'websocket' });
  assert.equal(n, 1);
  assert.deepEqual(t.statuses.at(-1).lastClose, { code: 1006, reason: 'blocked port' });
  assert.equal(t.statuses.at(-1).state, 'idle', 'no subscription yet when it failed');
  t.client.subscribe(['quotes.A'], () => {});
  assert.equal(n, 2, 'the subscribe tried again');
  assert.equal(t.statuses.at(-1).state, 'reconnecting');
  assert.equal(t.statuses.at(-1).retryIn, 250, 'backed off: random 0.5 of the first ceiling, 500 ms');
  t.client.close();
  assert.equal(t.clock.pending, 0);
});

test('client: ops are only sent on an open WebSocket; what was subscribed before goes in the resubscribe', () => {
  const t = start();
  t.client.subscribe(['quotes.A'], () => {});
  t.client.subscribe(['quotes.B'], () => {});
  assert.equal(t.WS.last.sent.length, 0);
  t.WS.last.accept();
  assert.deepEqual(t.WS.last.ops.map((o) => o.subjects), [['quotes.A', 'quotes.B']]);
  t.client.subscribe(['quotes.C'], () => {});
  assert.deepEqual(t.WS.last.ops.at(-1).subjects, ['quotes.C']);
  t.client.close();
});

test('client: op ids are unique across subs, unsubs and pings', () => {
  const t = start();
  const s = t.client.subscribe(['quotes.A'], () => {});
  t.WS.last.accept();
  s.unsubscribe();
  t.client.subscribe(['quotes.B'], () => {});
  t.clock.advance(DEFAULT_TIMING.idlePingMs);
  const ids = t.WS.last.ops.map((o) => o.id);
  assert.deepEqual(t.WS.last.ops.map((o) => o.op), ['sub', 'unsub', 'sub', 'ping']);
  assert.equal(new Set(ids).size, ids.length);
  t.client.close();
});

test('client: SSE reopens for subject changes only after they settle, and not while waiting to reconnect', () => {
  const t = start({ wanted: 'sse' });
  t.client.subscribe(['quotes.A'], () => {});
  t.clock.advance(DEFAULT_TIMING.sseDebounceMs);
  t.ES.last.fail(0);
  assert.equal(t.statuses.at(-1).state, 'reconnecting');
  t.client.subscribe(['quotes.B'], () => {});
  assert.equal(t.clock.pending, 1, 'only the retry: the next attempt takes the new list');
  t.clock.advance(t.clock.nextIn);
  assert.deepEqual(t.ES.last.subjects, ['quotes.A', 'quotes.B']);
  t.client.close();
});
