// Client control (issue 14): subscription options, field deltas, revoked
// patterns and token refresh, against the fakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackAll, quoteMsg, setup } from './fakes.js';
import { refreshDelay, refreshRetry, tokenExpiry } from '../token.js';

const flush = () => new Promise((resolve) => setImmediate(resolve));

// jwt makes an unsigned token with exp (seconds); the client does not verify.
function jwt(exp, n = 0) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256' })}.${b64({ exp, n })}.sig`;
}

test('maxRate and delta go as sub keys, one op per set of options', () => {
  const { WS, client } = setup();
  const ws = WS.last;
  ws.accept();
  client.subscribe(['quotes.>'], () => {}, { maxRate: 4, delta: true });
  client.subscribe(['quotes.AAPL'], () => {});
  assert.deepEqual(ws.ops.map(({ id, ...o }) => o), [
    { op: 'sub', subjects: ['quotes.>'], max_rate: 4, delta: true },
    { op: 'sub', subjects: ['quotes.AAPL'] },
  ]);
  ws.drop(1001);
  assert.throws(() => client.subscribe(['quotes.X'], () => {}, { maxRate: -1 }), TypeError);
  client.close();
});

test('a resubscribe after a reconnect keeps each subscription\'s options', () => {
  const t = setup();
  const { WS, clock, client } = t;
  client.subscribe(['quotes.>'], () => {}, { delta: true });
  client.subscribe(['scores.>'], () => {});
  WS.last.accept();
  WS.last.drop(1006);
  clock.advance(t.status.retryIn);
  WS.last.accept();
  assert.deepEqual(WS.last.ops.map(({ id, ...o }) => o), [
    { op: 'sub', subjects: ['quotes.>'], delta: true },
    { op: 'sub', subjects: ['scores.>'] },
  ]);
  client.close();
});

test('a delta is merged onto the last full update; one that does not follow is an error and resubscribes', () => {
  const { WS, client, errors } = setup();
  const got = [];
  client.subscribe(['quotes.>'], (m) => got.push(m), { delta: true });
  const ws = WS.last;
  ws.accept();
  ackAll(ws);
  ws.message(JSON.stringify(quoteMsg('AAPL', 1, { snapshot: true })));
  ws.message(JSON.stringify({ op: 'msg', subject: 'quotes.AAPL', delta: true, data: { last: 2.5, seq: 2, ts: 5 } }));
  assert.equal(got.length, 2);
  assert.deepEqual(got[1].data, { symbol: 'AAPL', bid: 1, ask: 2, last: 2.5, size: 1, volume: 10, seq: 2, ts: 5 });
  assert.equal(got[1].delta, true);

  const sent = ws.ops.length;
  ws.message(JSON.stringify({ op: 'msg', subject: 'quotes.AAPL', delta: true, data: { last: 9, seq: 4, ts: 6 } }));
  ws.message(JSON.stringify({ op: 'msg', subject: 'quotes.AAPL', delta: true, data: { last: 8, seq: 5, ts: 7 } }));
  assert.equal(got.length, 2, 'nothing unmergeable is delivered');
  assert.equal(errors.filter((e) => e.code === 'delta_gap').length, 1);
  assert.equal(errors[0].subject, 'quotes.AAPL');
  const resub = ws.ops.slice(sent);
  assert.deepEqual(resub.map(({ id, ...o }) => o), [{ op: 'sub', subjects: ['quotes.>'], delta: true }]);

  ws.message(JSON.stringify(quoteMsg('AAPL', 6, { snapshot: true })));
  ws.message(JSON.stringify({ op: 'msg', subject: 'quotes.AAPL', delta: true, data: { last: 3, seq: 7, ts: 8 } }));
  assert.equal(got.length, 4);
  assert.equal(got[3].data.last, 3);
  assert.equal(got[3].data.volume, 10);
  client.close();
});

test('a revoked pattern is reported and not resubscribed', () => {
  const t = setup();
  const { WS, clock, client, errors } = t;
  const sub = client.subscribe(['quotes.>', 'scores.>'], () => {});
  WS.last.accept();
  ackAll(WS.last);
  WS.last.message(JSON.stringify({ op: 'revoked', id: 7, code: 'forbidden', msg: 'not granted', subjects: ['scores.>'] }));
  assert.equal(errors.at(-1).op, 'revoked');
  assert.deepEqual(sub.patterns, ['quotes.>']);
  assert.equal(WS.last.ops.filter((o) => o.op === 'unsub').length, 0, 'the server removed them already');
  WS.last.drop(1006);
  clock.advance(t.status.retryIn);
  WS.last.accept();
  assert.deepEqual(WS.last.ops.map((o) => o.subjects), [['quotes.>']]);
  client.close();
});

test('getToken is used at connect and ahead of exp; bad_token is retried', async () => {
  let calls = 0;
  const start = 1_700_000_000; // the fake clock's start, in s
  const getToken = async () => jwt(start + 100, ++calls);
  const { WS, clock, client, errors } = setup({ getToken, timing: { idleCheckMs: 1e9 } });
  client.subscribe(['quotes.>'], () => {});
  await flush();
  const ws = WS.last;
  assert.equal(new URL(ws.url).searchParams.get('token'), jwt(start + 100, 1));
  ws.accept();
  ackAll(ws);
  clock.advance(74_000);
  assert.equal(ws.ops.filter((o) => o.op === 'auth').length, 0, 'not before 75%');
  clock.advance(16_000);
  await flush();
  let auth = ws.ops.filter((o) => o.op === 'auth');
  assert.equal(auth.length, 1);
  ws.message(JSON.stringify({ op: 'error', id: auth[0].id, code: 'bad_token', msg: 'token expired' }));
  const refused = errors.find((e) => e.code === 'bad_token');
  assert.ok(refused && refused.retryIn >= 0, 'reported with its retry');
  clock.advance(refused.retryIn + 1);
  await flush();
  auth = ws.ops.filter((o) => o.op === 'auth');
  assert.equal(auth.length, 2);
  ws.message(JSON.stringify({ op: 'ack', id: auth[1].id }));
  assert.equal(calls, 3);
  client.close();
});

test('on SSE a refresh reconnects the stream with the new token and the options go as query parameters', async () => {
  let calls = 0;
  const start = 1_700_000_000;
  const { ES, clock, client } = setup({ transport: 'sse', getToken: async () => jwt(start + 100, ++calls) });
  client.subscribe(['quotes.>'], () => {}, { maxRate: 4, delta: true });
  await flush();
  clock.advance(200);
  await flush();
  const first = ES.last;
  const q = new URL(first.url).searchParams;
  assert.equal(q.get('max_rate'), '4');
  assert.equal(q.get('delta'), 'true');
  first.accept();
  clock.advance(90_000);
  await flush();
  assert.notEqual(ES.last, first);
  assert.ok(first.closed);
  assert.equal(new URL(ES.last.url).searchParams.get('token'), jwt(start + 100, calls));
  client.close();
});

test('refresh times fall in their window', () => {
  for (const r of [0, 0.5, 0.999]) {
    const d = refreshDelay(100_000, r);
    assert.ok(d >= 75_000 && d < 90_000, `r=${r}: ${d}`);
  }
  assert.ok(refreshRetry(1, 0.999, 60_000) < 1_000);
  assert.equal(refreshRetry(1, 0.5, 100), -1);
  assert.equal(tokenExpiry('garbage'), 0);
  assert.equal(tokenExpiry(jwt(10)), 10_000);
});

test('a subject of a delta and a whole subscription with one handler keeps its base', () => {
  const { WS, client, errors } = setup();
  const got = [];
  const onQuote = (m) => got.push(m);
  client.subscribe(['quotes.AAPL'], onQuote);
  client.subscribe(['quotes.>'], onQuote, { maxRate: 4, delta: true });
  const ws = WS.last;
  ws.accept();
  ackAll(ws);
  ws.message(JSON.stringify(quoteMsg('AAPL', 1, { snapshot: true })));
  ws.message(JSON.stringify({ op: 'msg', subject: 'quotes.AAPL', delta: true, data: { last: 7, seq: 2, ts: 1 } }));
  assert.equal(got.length, 2, 'once per handler');
  assert.equal(got[1].data.volume, 10);
  assert.equal(errors.length, 0);
  client.close();
});

test('a getToken that fails at connect is reported and retried with backoff', async () => {
  let calls = 0;
  const t = setup({ getToken: async () => { calls++; if (calls === 1) throw new Error('no session'); return 'tok'; } });
  t.client.subscribe(['quotes.>'], () => {});
  await flush();
  assert.equal(t.WS.instances.length, 0, 'no attempt without a token');
  assert.equal(t.status.state, 'reconnecting');
  assert.ok(t.errors.some((e) => e.code === 'client' && /no session/.test(e.msg)));
  t.clock.advance(t.status.retryIn);
  await flush();
  assert.equal(new URL(t.WS.last.url).searchParams.get('token'), 'tok');
  t.client.close();
});
