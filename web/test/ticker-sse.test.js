import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WS_FAILURES_BEFORE_SSE, sseUrlFor } from '../ticker.js';
import { quoteMsg, setup } from './fakes.js';

const DEBOUNCE = 150;

test('sseUrlFor derives the SSE endpoint from the WebSocket URL', () => {
  assert.equal(sseUrlFor('ws://h:8080/ws'), 'http://h:8080/sse');
  assert.equal(sseUrlFor('wss://h/ws?token=x'), 'https://h/sse');
  assert.equal(sseUrlFor('wss://h/gw/ws'), 'https://h/gw/sse');
  assert.equal(sseUrlFor('ws://h/'), 'http://h/sse');
});

test('without WebSocket, auto uses SSE at once', async () => {
  const t = setup({ WebSocket: undefined, token: 'jwt' });
  assert.equal(t.status.state, 'idle', 'nothing to stream yet');
  assert.equal(t.status.transport, 'sse');
  const got = [];
  const sub = t.client.subscribe(['quotes.AAPL', 'scores.nba.*'], (m) => got.push(m));
  assert.equal(t.ES.instances.length, 0, 'edits are gathered for a moment');
  t.clock.advance(DEBOUNCE);
  const es = t.ES.last;
  const u = new URL(es.url);
  assert.equal(u.origin + u.pathname, 'http://gw.test/sse');
  assert.deepEqual(es.subjects, ['quotes.AAPL', 'scores.nba.*']);
  assert.equal(u.searchParams.get('token'), 'jwt');
  assert.equal(t.status.state, 'connecting');
  es.accept();
  await sub.ready;
  assert.equal(t.status.state, 'open');
  assert.equal(t.status.subscribed, true);
  es.send(quoteMsg('AAPL', 3, { snapshot: true }));
  es.send(quoteMsg('AAPL', 5));
  assert.deepEqual(got.map((m) => [m.data.seq, m.snapshot, m.gap]), [[3, true, undefined], [5, false, 1]]);
  t.client.close();
});

test(`auto falls back to SSE after ${WS_FAILURES_BEFORE_SSE} WebSocket attempts in a row that never open`, () => {
  const t = setup();
  t.client.subscribe(['quotes.>'], () => {});
  // An attempt that opens resets the count.
  t.WS.last.fail();
  t.clock.advance(t.clock.nextIn);
  t.WS.last.accept();
  t.WS.last.drop(1006);
  t.clock.advance(t.clock.nextIn);
  for (let i = 0; i < WS_FAILURES_BEFORE_SSE; i++) {
    assert.equal(t.status.transport, 'websocket');
    t.WS.last.fail();
    t.clock.advance(t.clock.nextIn);
  }
  assert.equal(t.WS.instances.length, 2 + WS_FAILURES_BEFORE_SSE);
  assert.equal(t.ES.instances.length, 1);
  assert.deepEqual(t.ES.last.subjects, ['quotes.>']);
  assert.equal(t.status.transport, 'sse');
  t.ES.last.accept();
  assert.equal(t.status.state, 'open');
  t.client.close();
});

function fallBack(t) {
  for (let i = 0; i < WS_FAILURES_BEFORE_SSE; i++) {
    t.WS.last.fail();
    t.clock.advance(t.clock.nextIn);
  }
  assert.equal(t.status.transport, 'sse');
}

test('auto: after an SSE connection ends, WebSocket gets one more chance', () => {
  const t = setup();
  t.client.subscribe(['quotes.>'], () => {});
  fallBack(t);
  t.ES.last.accept();
  t.ES.last.end(1001, 'draining');
  assert.equal(t.status.transport, 'websocket', 'the next attempt');
  t.clock.advance(t.clock.nextIn);
  const wsBefore = t.WS.instances.length;
  t.WS.last.fail();
  assert.equal(t.status.transport, 'sse', 'one failure returns to SSE');
  t.clock.advance(t.clock.nextIn);
  assert.equal(t.ES.instances.length, 2);
  // And when WebSocket works again, it stays.
  t.ES.last.accept();
  t.ES.last.fail(0);
  t.clock.advance(t.clock.nextIn);
  assert.equal(t.WS.instances.length, wsBefore + 1);
  t.WS.last.accept();
  t.WS.last.drop(1006);
  assert.equal(t.status.transport, 'websocket');
  t.client.close();
});

test('auto: when SSE cannot open either, go back to WebSocket (the server is down)', () => {
  const t = setup();
  t.client.subscribe(['quotes.>'], () => {});
  fallBack(t);
  t.ES.last.fail(0);
  assert.equal(t.status.transport, 'websocket');
  for (let i = 0; i < WS_FAILURES_BEFORE_SSE - 1; i++) {
    t.clock.advance(t.clock.nextIn);
    t.WS.last.fail();
    assert.equal(t.status.transport, 'websocket', 'the full count again');
  }
  t.client.close();
});

test('transport websocket never falls back', () => {
  const t = setup({ transport: 'websocket' });
  t.client.subscribe(['quotes.>'], () => {});
  for (let i = 0; i < 6; i++) {
    t.WS.last.fail();
    t.clock.advance(t.clock.nextIn);
  }
  assert.equal(t.ES.instances.length, 0);
  assert.equal(t.WS.instances.length, 7);
  t.client.close();
});

test('transport sse: subscribe and unsubscribe reopen the EventSource with the right subjects', () => {
  const t = setup({ transport: 'sse', sseUrl: 'https://gw.test/push/sse' });
  assert.equal(t.WS.instances.length, 0);
  const a = t.client.subscribe(['quotes.AAPL'], () => {});
  t.client.subscribe(['scores.>'], () => {});
  t.clock.advance(DEBOUNCE);
  assert.equal(t.ES.instances.length, 1, 'two subscribes, one stream');
  assert.ok(t.ES.last.url.startsWith('https://gw.test/push/sse?'));
  assert.deepEqual(t.ES.last.subjects, ['quotes.AAPL', 'scores.>']);
  t.ES.last.accept();

  const first = t.ES.last;
  t.client.subscribe(['quotes.MSFT'], () => {});
  t.clock.advance(50);
  a.unsubscribe();
  t.clock.advance(DEBOUNCE - 1);
  assert.equal(t.ES.instances.length, 1, 'waits for the edits to settle');
  t.clock.advance(1);
  assert.equal(t.ES.instances.length, 2);
  assert.equal(first.closed, true, 'the old stream is closed');
  assert.deepEqual(t.ES.last.subjects, ['scores.>', 'quotes.MSFT']);
  assert.equal(t.status.state, 'open', 'a reopen is not a reconnect');
  assert.equal(t.status.subscribed, false);
  t.ES.last.accept();
  assert.equal(t.status.subscribed, true);

  t.client.unsubscribe(['scores.>', 'quotes.MSFT']);
  t.clock.advance(DEBOUNCE);
  assert.equal(t.ES.last.closed, true);
  assert.equal(t.ES.instances.length, 2, 'nothing left to stream');
  assert.equal(t.status.state, 'idle');
  t.client.close();
});

test('SSE: event close 1001 reconnects within a second; the stream is closed at once', () => {
  const t = setup({ transport: 'sse', random: () => 0.999 });
  t.client.subscribe(['quotes.>'], () => {});
  t.clock.advance(DEBOUNCE);
  const es = t.ES.last;
  es.accept();
  es.end(1001, 'draining, reconnect elsewhere');
  assert.equal(es.closed, true);
  assert.equal(t.status.state, 'reconnecting');
  assert.deepEqual(t.status.lastClose, { code: 1001, reason: 'draining, reconnect elsewhere' });
  assert.ok(t.status.retryIn <= 1000);
  t.clock.advance(1000);
  assert.equal(t.ES.instances.length, 2);
  t.client.close();
});

test('SSE: an error is handled by our backoff, not EventSource’s own retry', () => {
  const t = setup({ transport: 'sse', random: () => 1 - 1e-9 });
  t.client.subscribe(['quotes.>'], () => {});
  t.clock.advance(DEBOUNCE);
  const waits = [];
  for (let i = 0; i < 4; i++) {
    t.ES.last.fail(0);
    assert.equal(t.ES.last.closed, true);
    waits.push(Math.round(t.status.retryIn));
    t.clock.advance(t.clock.nextIn);
  }
  assert.deepEqual(waits, [500, 1000, 2000, 4000]);
  t.client.close();
});

test('SSE: a refused stream is asked why; the new subscription it names is dropped, the rest reopen', async () => {
  const calls = [];
  const fetch = async (url) => {
    calls.push(url);
    return {
      status: 403,
      json: async () => ({ op: 'error', code: 'forbidden', msg: 'subject "secret.x": not allowed' }),
    };
  };
  const t = setup({ transport: 'sse', fetch });
  const good = t.client.subscribe(['quotes.AAPL'], () => {});
  t.clock.advance(DEBOUNCE);
  t.ES.last.accept();
  await good.ready;
  const bad = t.client.subscribe(['secret.x'], () => {});
  t.clock.advance(DEBOUNCE);
  assert.deepEqual(t.ES.last.subjects, ['quotes.AAPL', 'secret.x']);
  t.ES.last.fail(2); // the browser gave up: not a stream
  await assert.rejects(bad.ready, { code: 'forbidden' });
  assert.equal(calls.length, 1);
  assert.deepEqual(t.errors.map((e) => e.code), ['forbidden']);
  assert.equal(t.ES.instances.length, 3);
  assert.deepEqual(t.ES.last.subjects, ['quotes.AAPL']);
  assert.equal(good.active, true);
  t.client.close();
});

test('SSE: a refusal of subscriptions already confirmed is reported and backed off', async () => {
  let status = 403;
  const fetch = async () => ({ status, json: async () => ({ op: 'error', code: 'forbidden', msg: 'no' }) });
  const t = setup({ transport: 'sse', fetch });
  const sub = t.client.subscribe(['quotes.AAPL'], () => {});
  t.clock.advance(DEBOUNCE);
  t.ES.last.accept();
  t.ES.last.fail(0);
  t.clock.advance(t.clock.nextIn);
  t.ES.last.fail(2);
  await new Promise((r) => setImmediate(r));
  assert.equal(t.status.state, 'reconnecting');
  assert.equal(t.status.lastClose.code, 1008);
  assert.ok(t.status.retryIn >= 5000);
  assert.equal(sub.active, true);
  // 503 while draining: try again later.
  status = 503;
  t.clock.advance(t.clock.nextIn);
  t.ES.last.fail(2);
  await new Promise((r) => setImmediate(r));
  assert.equal(t.status.lastClose.code, 1013);
  t.client.close();
  assert.equal(t.clock.pending, 0);
});

test('SSE: close() closes the stream and leaves no timer', () => {
  const t = setup({ transport: 'sse' });
  t.client.subscribe(['quotes.>'], () => {});
  t.clock.advance(DEBOUNCE);
  t.ES.last.accept();
  t.client.subscribe(['scores.>'], () => {}); // a reopen pending
  assert.ok(t.clock.pending > 0);
  t.client.close();
  assert.equal(t.clock.pending, 0);
  assert.equal(t.ES.last.closed, true);
  assert.equal(t.status.state, 'closed');
  t.clock.advance(60_000);
  assert.equal(t.ES.instances.length, 1);
});
