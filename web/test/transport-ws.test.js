import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_TIMEOUT_CODE, openWebSocket } from '../transport-ws.js';
import { SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from '../codec.js';
import { decodeAll, encode } from '../msgpack.js';
import { Timers } from '../timers.js';
import { DEFAULT_TIMING } from '../ticker.js';
import { FakeClock, fakeWebSocket } from './fakes.js';

// start opens the transport on a fake WebSocket and records its events.
function start(extra = {}) {
  const clock = new FakeClock();
  const WS = fakeWebSocket();
  const timers = new Timers(clock.setTimeout, clock.clearTimeout);
  const events = [];
  const errors = [];
  let id = 0;
  const t = openWebSocket({
    url: 'ws://gw.test/ws', codec: 'json', WebSocket: WS, encode, decode: decodeAll,
    timers, timing: DEFAULT_TIMING, now: clock.now, nextId: () => ++id, report: (e) => errors.push(e),
    ...extra,
  }, {
    onOpen: () => events.push(['open']),
    onMessage: (m) => events.push(['msg', m]),
    onClose: (code, reason, opened) => events.push(['close', code, reason, opened]),
  });
  return { t, ws: WS.last, WS, clock, timers, events, errors };
}

test('transport-ws: offers the codec\'s subprotocol; the server\'s answer decides the wire', () => {
  const json = start();
  assert.equal(json.ws.protocols, SUBPROTOCOL_JSON);
  assert.equal(json.t.canSend, false);
  assert.equal(json.t.send({ op: 'ping' }), false, 'nothing is sent before open');
  json.ws.accept();
  assert.deepEqual(json.events, [['open']]);
  assert.equal(json.t.opened, true);
  assert.equal(json.t.protocol, SUBPROTOCOL_JSON);
  assert.equal(json.t.send({ op: 'ping', id: 1 }), true);
  assert.equal(json.ws.sent[0], '{"op":"ping","id":1}');

  const mp = start({ codec: 'msgpack' });
  assert.equal(mp.ws.protocols, SUBPROTOCOL_MSGPACK);
  mp.ws.accept(SUBPROTOCOL_MSGPACK);
  assert.equal(mp.t.binary, true);
  mp.t.send({ op: 'ping', id: 1 });
  assert.deepEqual(decodeAll(mp.ws.sent[0]), [{ op: 'ping', id: 1 }]);

  const fallback = start({ codec: 'msgpack' });
  fallback.ws.accept('');
  assert.equal(fallback.t.binary, false, 'no subprotocol in the reply: JSON');
});

test('transport-ws: batched frames become messages; unreadable parts are reported', () => {
  const s = start();
  s.ws.accept();
  s.ws.message('{"op":"pong","id":1}\n{bad\n{"op":"pong","id":2}\n');
  assert.deepEqual(s.events.slice(1), [['msg', { op: 'pong', id: 1 }], ['msg', { op: 'pong', id: 2 }]]);
  assert.equal(s.errors.length, 1);
});

test('transport-ws: nothing more is reported once it is closed, even mid-frame', () => {
  const clock = new FakeClock();
  const WS = fakeWebSocket();
  const got = [];
  const t = openWebSocket({
    url: 'ws://gw.test/ws', codec: 'json', WebSocket: WS, encode, decode: decodeAll,
    timers: new Timers(clock.setTimeout, clock.clearTimeout), timing: DEFAULT_TIMING, now: clock.now,
    nextId: () => 1, report: () => {},
  }, {
    onOpen: () => {},
    onMessage: (m) => { got.push(m.id); t.close(); },
    onClose: () => got.push('close'),
  });
  WS.last.accept();
  WS.last.message('{"id":1}\n{"id":2}');
  WS.last.drop(1006);
  assert.deepEqual(got, [1]);
  assert.deepEqual(WS.last.closedWith, { code: 1000, reason: '' });
  assert.equal(clock.pending, 0, 'no timer left');
});

test('transport-ws: a close is reported with its code, and whether it had opened', () => {
  const failed = start();
  failed.ws.fail();
  assert.deepEqual(failed.events, [['close', 1006, '', false]]);
  assert.equal(failed.clock.pending, 0);

  const dropped = start();
  dropped.ws.accept();
  dropped.ws.drop(1001, 'draining');
  assert.deepEqual(dropped.events.at(-1), ['close', 1001, 'draining', true]);
  assert.equal(dropped.clock.pending, 0);
});

test('transport-ws: an attempt that never opens is given up after the connect timeout', () => {
  const s = start();
  s.clock.advance(DEFAULT_TIMING.connectTimeoutMs - 1);
  assert.deepEqual(s.events, []);
  s.clock.advance(1);
  assert.deepEqual(s.events, [['close', 1006, 'connect timeout', false]]);
  assert.ok(s.ws.closedWith);
  s.ws.accept(); // too late
  assert.equal(s.events.length, 1);
});

test('transport-ws: a quiet socket gets a ping, a silent one is closed with CLIENT_TIMEOUT_CODE', () => {
  const s = start();
  s.ws.accept();
  s.clock.advance(DEFAULT_TIMING.idlePingMs);
  assert.deepEqual(s.ws.ops, [{ op: 'ping', id: 1 }]);
  s.clock.advance(DEFAULT_TIMING.idleCheckMs);
  assert.equal(s.ws.ops.length, 1, 'one ping per quiet spell');
  s.clock.advance(DEFAULT_TIMING.idleCloseMs - DEFAULT_TIMING.idlePingMs - DEFAULT_TIMING.idleCheckMs);
  assert.deepEqual(s.events.at(-1), ['close', CLIENT_TIMEOUT_CODE, 'nothing received for 25 s', true]);
  assert.equal(s.ws.closedWith.code, CLIENT_TIMEOUT_CODE);
  assert.equal(s.clock.pending, 0);
});

test('transport-ws: any frame resets the silence clock', () => {
  const s = start();
  s.ws.accept();
  for (let i = 0; i < 10; i++) {
    s.clock.advance(10_000);
    s.ws.message('{"op":"msg","subject":"quotes.A","data":{}}');
  }
  assert.equal(s.ws.ops.length, 0);
  assert.equal(s.events.filter((e) => e[0] === 'close').length, 0);
  s.t.close();
  assert.equal(s.clock.pending, 0);
});

test('transport-ws: a send that throws is reported, not thrown', () => {
  const s = start();
  s.ws.accept();
  s.ws.send = () => { throw new Error('gone'); };
  assert.equal(s.t.send({ op: 'ping' }), false);
  assert.match(s.errors[0].msg, /send failed: gone/);
});

test('transport-ws: a constructor that throws throws', () => {
  const clock = new FakeClock();
  class Refusing { constructor() { throw new SyntaxError('bad url'); } }
  assert.throws(() => openWebSocket({
    url: 'x', codec: 'json', WebSocket: Refusing, timers: new Timers(clock.setTimeout, clock.clearTimeout),
    timing: DEFAULT_TIMING, now: clock.now, nextId: () => 1, report: () => {},
  }, {}), /bad url/);
  assert.equal(clock.pending, 0);
});
