import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_TIMEOUT_CODE, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, connect } from '../ticker.js';
import { decodeAll, encode } from '../msgpack.js';
import { ackAll, fakeWebSocket, quoteMsg, setup } from './fakes.js';

test('offers the JSON subprotocol and sends one sub op per subscribe, with an id', async () => {
  const { WS, client, status } = setup({ token: 'abc' });
  const ws = WS.last;
  assert.equal(ws.protocols, SUBPROTOCOL_JSON);
  assert.equal(ws.url, 'ws://gw.test/ws?token=abc');
  assert.equal(status.state, 'connecting');
  assert.equal(status.transport, 'websocket');

  const a = client.subscribe(['quotes.AAPL', 'scores.nba.*'], () => {});
  ws.accept();
  const b = client.subscribe(['quotes.MSFT'], () => {});
  const ops = ws.ops;
  assert.equal(ops.length, 2);
  assert.deepEqual(ops[0], { op: 'sub', id: ops[0].id, subjects: ['quotes.AAPL', 'scores.nba.*'] });
  assert.deepEqual(ops[1], { op: 'sub', id: ops[1].id, subjects: ['quotes.MSFT'] });
  assert.notEqual(ops[0].id, ops[1].id);
  client.close();
  await assert.rejects(b.ready, { code: 'closed' });
  await assert.rejects(a.ready, { code: 'closed' });
});

test('ready resolves on ack; status becomes subscribed when every sub is acked', async () => {
  const t = setup();
  const ws = t.WS.last;
  const sub = t.client.subscribe(['quotes.AAPL'], () => {});
  ws.accept();
  assert.equal(t.status.state, 'open');
  assert.equal(t.status.subscribed, false);
  assert.equal(t.status.protocol, SUBPROTOCOL_JSON);
  ackAll(ws);
  await sub.ready;
  assert.equal(t.status.subscribed, true);
  t.client.close();
});

test('an error reply refuses the subscription: ready rejects, onError hears it, it is not resent', async () => {
  const t = setup();
  const ws = t.WS.last;
  ws.accept();
  const good = t.client.subscribe(['quotes.AAPL'], () => {});
  const bad = t.client.subscribe(['secret.x'], () => {});
  const [g, b] = ws.ops;
  ws.message(`{"op":"ack","id":${g.id}}\n{"op":"error","id":${b.id},"code":"forbidden","msg":"subject \\"secret.x\\": not allowed"}\n`);
  await good.ready;
  await assert.rejects(bad.ready, { code: 'forbidden' });
  assert.equal(bad.active, false);
  assert.deepEqual(t.errors.map((e) => [e.code, e.subjects]), [['forbidden', ['secret.x']]]);
  assert.equal(t.status.subscribed, true);
  ws.drop(1006);
  t.clock.advance(t.clock.nextIn);
  t.WS.last.accept();
  assert.deepEqual(t.WS.last.ops.map((o) => o.subjects), [['quotes.AAPL']]);
  t.client.close();
});

test('a pattern that breaks the subject rules is refused without asking the server', async () => {
  const t = setup();
  t.WS.last.accept();
  const sub = t.client.subscribe(['quotes.AA*'], () => {});
  await assert.rejects(sub.ready, { code: 'bad_subject' });
  assert.equal(t.WS.last.sent.length, 0);
  assert.equal(t.errors[0].code, 'bad_subject');
  t.client.close();
});

test('rate_limited: the sub is sent again a little later', () => {
  const t = setup();
  const ws = t.WS.last;
  ws.accept();
  t.client.subscribe(['quotes.AAPL'], () => {});
  ws.message(JSON.stringify({ op: 'error', id: ws.ops[0].id, code: 'rate_limited', msg: 'slow down' }));
  assert.equal(ws.ops.length, 1);
  t.clock.advance(1_000);
  assert.equal(ws.ops.length, 2);
  assert.deepEqual(ws.ops[1].subjects, ['quotes.AAPL']);
  assert.equal(t.errors.length, 0);
  t.client.close();
});

test('resubscribes every current pattern after each reconnect', () => {
  const t = setup();
  t.client.subscribe(['quotes.AAPL', 'scores.nba.*'], () => {});
  const msft = t.client.subscribe(['quotes.MSFT'], () => {});
  t.client.subscribe(['quotes.TSLA'], () => {});
  t.WS.last.accept();
  ackAll(t.WS.last);
  msft.unsubscribe();
  t.client.unsubscribe(['scores.nba.*']);
  t.client.subscribe(['scores.nhl.*'], () => {});
  for (let i = 0; i < 2; i++) {
    t.WS.last.drop(1006);
    t.clock.advance(t.clock.nextIn);
    const ws = t.WS.last;
    ws.accept();
    assert.equal(ws.ops.length, 1, 'one sub op for all patterns');
    assert.equal(ws.ops[0].op, 'sub');
    assert.deepEqual(ws.ops[0].subjects, ['quotes.AAPL', 'quotes.TSLA', 'scores.nhl.*']);
    ackAll(ws);
    assert.equal(t.status.subscribed, true);
  }
  assert.equal(t.WS.instances.length, 3);
  t.client.close();
});

test('a refused resubscribe is retried one subscription at a time, to find the culprit', async () => {
  const t = setup();
  const a = t.client.subscribe(['quotes.AAPL'], () => {});
  const b = t.client.subscribe(['quotes.GONE'], () => {});
  t.WS.last.accept();
  ackAll(t.WS.last);
  await Promise.all([a.ready, b.ready]);
  t.WS.last.drop(1006);
  t.clock.advance(t.clock.nextIn);
  const ws = t.WS.last;
  ws.accept();
  ws.message(JSON.stringify({ op: 'error', id: ws.ops[0].id, code: 'forbidden', msg: 'subject "quotes.GONE": not allowed' }));
  const [one, two] = ws.ops.slice(1);
  assert.deepEqual([one.subjects, two.subjects], [['quotes.AAPL'], ['quotes.GONE']]);
  ws.message(JSON.stringify({ op: 'ack', id: one.id }));
  ws.message(JSON.stringify({ op: 'error', id: two.id, code: 'forbidden', msg: 'no' }));
  assert.equal(a.active, true);
  assert.equal(b.active, false);
  assert.equal(t.status.subscribed, true);
  t.client.close();
});

test('unsubscribe sends unsub only for patterns no subscription holds any more', () => {
  const t = setup();
  t.WS.last.accept();
  const x = t.client.subscribe(['quotes.AAPL', 'quotes.MSFT'], () => {});
  const y = t.client.subscribe(['quotes.AAPL'], () => {});
  x.unsubscribe(['quotes.AAPL']);
  assert.equal(t.WS.last.ops.length, 2, 'AAPL is still held by y');
  x.unsubscribe();
  assert.deepEqual(t.WS.last.ops[2], { op: 'unsub', id: t.WS.last.ops[2].id, subjects: ['quotes.MSFT'] });
  assert.equal(x.active, false);
  t.client.unsubscribe(['quotes.AAPL']);
  assert.deepEqual(t.WS.last.ops[3].subjects, ['quotes.AAPL']);
  assert.equal(y.active, false);
  t.client.close();
});

test('JSON: a batched frame is split into its messages, trailing newline or not', () => {
  const t = setup();
  const got = [];
  t.client.subscribe(['quotes.>'], (m) => got.push([m.subject, m.data.seq, m.snapshot]));
  const ws = t.WS.last;
  ws.accept();
  ackAll(ws);
  ws.message([quoteMsg('AAPL', 1, { snapshot: true }), quoteMsg('MSFT', 7), quoteMsg('AAPL', 2)].map((m) => JSON.stringify(m)).join('\n') + '\n');
  ws.message(JSON.stringify(quoteMsg('MSFT', 8)));
  ws.message('\n\n');
  assert.deepEqual(got, [['quotes.AAPL', 1, true], ['quotes.MSFT', 7, false], ['quotes.AAPL', 2, false], ['quotes.MSFT', 8, false]]);
  assert.equal(t.errors.length, 0);
  ws.message('{nope\n' + JSON.stringify(quoteMsg('MSFT', 9)));
  assert.equal(t.errors.length, 1, 'an unreadable line is reported');
  assert.equal(got.length, 5, 'and the rest of the frame still delivered');
  t.client.close();
});

test('msgpack: offers ticker.v1.msgpack, sends binary ops, splits frames with the injected decoder', () => {
  const frames = [];
  const fakeDecode = (bytes) => {
    frames.push(bytes);
    return [quoteMsg('AAPL', 1, { snapshot: true }), quoteMsg('AAPL', 2), { op: 'pong', id: 9 }, quoteMsg('MSFT', 5)];
  };
  const t = setup({ codec: 'msgpack', decode: fakeDecode });
  const got = [];
  t.client.subscribe(['quotes.>'], (m) => got.push(`${m.subject}#${m.data.seq}`));
  const ws = t.WS.last;
  assert.equal(ws.protocols, SUBPROTOCOL_MSGPACK);
  assert.equal(t.status.codec, 'msgpack');
  ws.accept(SUBPROTOCOL_MSGPACK);
  assert.equal(ws.binaryType, 'arraybuffer');
  assert.ok(ws.sent[0] instanceof Uint8Array, 'ops go out as binary frames');
  assert.deepEqual(decodeAll(ws.sent[0]), [{ op: 'sub', id: ws.ops[0].id, subjects: ['quotes.>'] }]);
  ws.message(new Uint8Array([1, 2, 3]).buffer);
  assert.deepEqual([...frames[0]], [1, 2, 3]);
  assert.deepEqual(got, ['quotes.AAPL#1', 'quotes.AAPL#2', 'quotes.MSFT#5']);
  t.client.close();
});

test('msgpack with the real decoder: concatenated maps in one frame', () => {
  const t = setup({ codec: 'msgpack', decode: decodeAll });
  const got = [];
  t.client.subscribe(['quotes.>'], (m) => got.push(m.data.symbol));
  const ws = t.WS.last;
  ws.accept(SUBPROTOCOL_MSGPACK);
  const frame = new Uint8Array([...encode({ op: 'ack', id: ws.ops[0].id }), ...encode(quoteMsg('A', 1)), ...encode(quoteMsg('B', 1))]);
  ws.message(frame.buffer);
  assert.deepEqual(got, ['A', 'B']);
  assert.equal(t.status.subscribed, true);
  t.client.close();
});

test('msgpack offered but the server answers no subprotocol: the wire is JSON', () => {
  const t = setup({ codec: 'msgpack', decode: decodeAll });
  t.client.subscribe(['quotes.>'], () => {});
  t.WS.last.accept('');
  assert.equal(typeof t.WS.last.sent[0], 'string');
  assert.equal(t.status.codec, 'json');
  t.client.close();
});

test('gaps in seq are reported per subject', () => {
  const t = setup();
  const got = [];
  t.client.subscribe(['quotes.>'], (m) => got.push(`${m.data.symbol}${m.data.seq}${m.gap ? ` gap ${m.gap}` : ''}`));
  const ws = t.WS.last;
  ws.accept();
  ackAll(ws);
  for (const [s, n] of [['A', 5], ['B', 1], ['A', 6], ['A', 9], ['B', 2], ['A', 9], ['A', 1], ['A', 3]]) {
    ws.message(JSON.stringify(quoteMsg(s, n)));
  }
  // After a reconnect the snapshot tells how much was missed meanwhile.
  ws.drop(1006);
  t.clock.advance(t.clock.nextIn);
  t.WS.last.accept();
  t.WS.last.message(JSON.stringify(quoteMsg('B', 12, { snapshot: true })));
  assert.deepEqual(got, ['A5', 'B1', 'A6', 'A9 gap 2', 'B2', 'A9', 'A1', 'A3 gap 1', 'B12 gap 9']);
  t.client.close();
});

test('a handler gets a message once even when several of its patterns match', () => {
  const t = setup();
  const mine = [];
  const other = [];
  const h = (m) => mine.push(m.subject);
  t.client.subscribe(['quotes.>'], h);
  t.client.subscribe(['quotes.AAPL'], h);
  t.client.subscribe(['quotes.*'], (m) => other.push(m.subject));
  t.WS.last.accept();
  t.WS.last.message(JSON.stringify(quoteMsg('AAPL', 1)));
  t.client.unsubscribe(['quotes.>']);
  t.WS.last.message(JSON.stringify(quoteMsg('MSFT', 1)));
  assert.deepEqual(mine, ['quotes.AAPL']);
  assert.deepEqual(other, ['quotes.AAPL', 'quotes.MSFT']);
  t.client.close();
});

test('messages for patterns unsubscribed meanwhile are not delivered', () => {
  const t = setup();
  const got = [];
  const sub = t.client.subscribe(['quotes.AAPL'], (m) => got.push(m));
  t.WS.last.accept();
  sub.unsubscribe();
  t.WS.last.message(JSON.stringify(quoteMsg('AAPL', 1)));
  assert.equal(got.length, 0);
  t.client.close();
});

test('a quiet socket is pinged; a silent one is given up and reconnected', () => {
  const t = setup();
  t.client.subscribe(['quotes.>'], () => {});
  const ws = t.WS.last;
  ws.accept();
  ackAll(ws);
  t.clock.advance(15_000);
  assert.equal(ws.ops.at(-1).op, 'ping');
  ws.message(JSON.stringify({ op: 'pong', id: ws.ops.at(-1).id }));
  t.clock.advance(20_000);
  assert.equal(ws.ops.filter((o) => o.op === 'ping').length, 2, 'pinged again after the next quiet spell');
  assert.equal(t.status.state, 'open');
  t.clock.advance(5_000); // 25 s after the pong, checked every 5 s
  assert.equal(t.status.state, 'reconnecting');
  assert.equal(t.status.lastClose.code, CLIENT_TIMEOUT_CODE);
  assert.equal(ws.closedWith.code, CLIENT_TIMEOUT_CODE);
  t.client.close();
});

test('close() stops everything and leaves no timer', () => {
  // While open, with a ping and a rate-limit retry pending.
  let t = setup();
  t.client.subscribe(['quotes.>'], () => {});
  t.WS.last.accept();
  t.WS.last.message(JSON.stringify({ op: 'error', id: t.WS.last.ops[0].id, code: 'rate_limited', msg: '' }));
  assert.ok(t.clock.pending > 0);
  t.client.close();
  assert.equal(t.clock.pending, 0);
  assert.deepEqual(t.WS.last.closedWith, { code: 1000, reason: 'closed by client' });
  assert.equal(t.status.state, 'closed');
  t.clock.advance(60_000);
  assert.equal(t.WS.instances.length, 1, 'no reconnect after close');
  assert.throws(() => t.client.subscribe(['quotes.A'], () => {}));

  // While waiting to reconnect.
  t = setup();
  t.client.subscribe(['quotes.>'], () => {});
  t.WS.last.fail();
  assert.equal(t.status.state, 'reconnecting');
  t.client.close();
  assert.equal(t.clock.pending, 0);
  t.clock.advance(60_000);
  assert.equal(t.WS.instances.length, 1);
  const last = t.statuses.length;
  t.WS.last.drop(1006); // a late event from the old socket changes nothing
  assert.equal(t.statuses.length, last);
});

test('with no subscription left, a closed connection waits idle until the next subscribe', () => {
  const t = setup();
  const sub = t.client.subscribe(['quotes.>'], () => {});
  t.WS.last.accept();
  sub.unsubscribe();
  t.WS.last.drop(1008, 'idle: no subscriptions');
  assert.equal(t.status.state, 'idle');
  assert.equal(t.clock.pending, 0);
  t.client.subscribe(['quotes.AAPL'], () => {});
  assert.equal(t.WS.instances.length, 2);
  assert.equal(t.status.state, 'connecting');
  t.client.close();
});

test('an attempt that neither opens nor fails is given up after the connect timeout', () => {
  const t = setup();
  t.client.subscribe(['quotes.>'], () => {});
  t.clock.advance(9_999);
  assert.equal(t.status.state, 'connecting');
  t.clock.advance(1);
  assert.equal(t.status.state, 'reconnecting');
  assert.deepEqual(t.status.lastClose, { code: 1006, reason: 'connect timeout' });
  assert.ok(t.WS.instances[0].closedWith, 'the stuck socket is closed');
  t.WS.instances[0].accept(); // too late: ignored
  assert.equal(t.status.state, 'reconnecting');
  t.client.close();
});

test('reconnectNow skips the wait', () => {
  const t = setup({ random: () => 0.99 });
  t.client.subscribe(['quotes.>'], () => {});
  t.WS.last.fail();
  t.client.reconnectNow();
  assert.equal(t.WS.instances.length, 2);
  assert.equal(t.clock.pending, 1, 'only the new attempt\'s connect timeout');
  t.client.close();
});

test('a handler that throws is reported and does not stop delivery', () => {
  const t = setup();
  const got = [];
  t.client.subscribe(['quotes.AAPL'], () => { throw new Error('boom'); });
  t.client.subscribe(['quotes.*'], (m) => got.push(m.subject));
  t.WS.last.accept();
  t.WS.last.message(JSON.stringify(quoteMsg('AAPL', 1)));
  assert.deepEqual(got, ['quotes.AAPL']);
  assert.match(t.errors[0].msg, /boom/);
  t.client.close();
});

test('options are checked', () => {
  const WS = fakeWebSocket();
  assert.throws(() => connect('ws://x/ws', { WebSocket: WS, codec: 'msgpack' }), /decode/);
  assert.throws(() => connect('ws://x/ws', { WebSocket: WS, transport: 'carrier-pigeon' }));
  assert.throws(() => connect('ws://x/ws', { WebSocket: undefined, EventSource: undefined }));
  assert.throws(() => connect('ws://x/ws', { WebSocket: undefined, transport: 'websocket' }));
});
