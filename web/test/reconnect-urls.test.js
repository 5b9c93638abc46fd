// A client of several gateways under a reconnect storm: after a drain (1001)
// or a refusal (1013) it moves to one of the other URLs at random, and after
// a refusal with the server's hint it waits within the hint.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF } from '../backoff.js';
import { setup } from './fakes.js';

const A = 'ws://a.test/ws';
const B = 'ws://b.test/ws';
const C = 'ws://c.test/ws';

const tick = () => new Promise((r) => setImmediate(r));

// draws hands out the given random numbers in order, then 0.5: after a
// connection ends the client draws the next URL (when it has a choice), then
// the wait.
const draws = (...xs) => () => (xs.length ? xs.shift() : 0.5);

test('reconnect: the URL of the next attempt follows how the last one ended', () => {
  for (const [name, code, reason, random, wantUrl, wantIn] of [
    ['refused with a hint: another URL, within the hint', 1013, 'try again later: too many new connections; retry after 2500ms',
      draws(0.9, 0.5), C, 1250],
    ['refused with a hint, a low draw: the first other URL', 1013, 'try again later: connection limit reached; retry after 1000ms',
      draws(0, 0.999), B, 999],
    ['refused without a hint: another URL, after the floor', 1013, 'try again later', draws(0.9, 0), C, DEFAULT_BACKOFF.policyFloorMs],
    ['drained: another URL, soon', 1001, 'draining, reconnect elsewhere', draws(0.3, 0.5), B, 500],
    ['lost: the next in turn', 1006, '', draws(0.5, 0.9), B, 250],
    ['slow consumer: the next in turn', 1008, 'slow consumer', draws(0, 0.9), B, DEFAULT_BACKOFF.policyFloorMs],
  ]) {
    const { clock, WS, client, statuses } = setup({ url: [A, B, C], random, transport: 'websocket' });
    client.subscribe(['quotes.>'], () => {});
    assert.equal(WS.last.url, A, `${name}: the first attempt goes to the first URL`);
    WS.last.accept();
    WS.last.drop(code, reason);
    const st = statuses.at(-1);
    assert.equal(Math.round(st.retryIn), wantIn, `${name}: the wait`);
    clock.advance(clock.nextIn);
    assert.equal(WS.instances.length, 2);
    assert.equal(WS.last.url, wantUrl, `${name}: the URL`);
    client.close();
  }
});

test('reconnect: refused again and again, the client never returns to the URL that just refused it', () => {
  const seq = [0.1, 0.7, 0.4, 0.95, 0.2, 0.6, 0.8, 0.3];
  let k = 0;
  const { clock, WS, client, statuses } = setup({ url: [A, B, C], random: () => seq[k++ % seq.length], transport: 'websocket' });
  client.subscribe(['quotes.>'], () => {});
  for (let i = 0; i < 12; i++) {
    const from = WS.last.url;
    WS.last.accept();
    WS.last.drop(1013, 'try again later: too many new connections; retry after 3000ms');
    const st = statuses.at(-1);
    assert.ok(st.retryIn >= 0 && st.retryIn <= Math.max(3000, DEFAULT_BACKOFF.baseMs * 2 ** i), `wait ${st.retryIn}`);
    assert.equal(st.retryHint, 3000);
    assert.equal(st.attempt, i + 1, 'the attempts count on');
    clock.advance(clock.nextIn);
    assert.notEqual(WS.last.url, from, `attempt ${i + 2} went back to ${from}`);
  }
  client.close();
});

test('reconnect: one URL is tried again, whatever the code', () => {
  const { clock, WS, client } = setup({ random: () => 0.9, transport: 'websocket' });
  client.subscribe(['quotes.>'], () => {});
  WS.last.accept();
  WS.last.drop(1001, 'draining, reconnect elsewhere');
  clock.advance(clock.nextIn);
  assert.equal(WS.last.url, 'ws://gw.test/ws');
  client.close();
});

test('reconnect: an SSE stream refused with 503 and Retry-After waits within it, on another URL', async () => {
  const fetch = async () => ({ status: 503, headers: new Headers({ 'Retry-After': '2' }), json: async () => ({}) });
  const t = setup({ url: [A, B, C], random: draws(0.9, 0.5), transport: 'sse', fetch });
  const { clock, ES, client } = t;
  client.subscribe(['quotes.>'], () => {});
  clock.advance(150); // the edits settle
  assert.equal(new URL(ES.last.url).host, 'a.test');
  ES.last.fail(2);
  await tick();
  assert.deepEqual(t.status.lastClose, { code: 1013, reason: 'HTTP 503; retry after 2000ms' });
  assert.equal(t.status.retryHint, 2000);
  assert.equal(t.status.retryIn, 1000);
  clock.advance(clock.nextIn);
  assert.equal(new URL(ES.last.url).host, 'c.test');
  client.close();
});

test('reconnect: a 503 whose Retry-After cannot be read has no hint: the floor', async () => {
  const fetch = async () => ({ status: 503, headers: new Headers(), json: async () => ({}) });
  const t = setup({ url: [A, B], random: draws(0.5, 0), transport: 'sse', fetch });
  const { clock, ES, client } = t;
  client.subscribe(['quotes.>'], () => {});
  clock.advance(150);
  ES.last.fail(2);
  await tick();
  assert.deepEqual(t.status.lastClose, { code: 1013, reason: 'HTTP 503' });
  assert.equal(t.status.retryHint, undefined);
  assert.equal(t.status.retryIn, DEFAULT_BACKOFF.policyFloorMs);
  clock.advance(clock.nextIn);
  assert.equal(new URL(ES.last.url).host, 'b.test');
  client.close();
});

test('reconnect: a client left idle by a drain connects elsewhere on its next subscribe', () => {
  const { WS, client } = setup({ url: [A, B], random: () => 0.5, transport: 'websocket' });
  const sub = client.subscribe(['quotes.>'], () => {});
  WS.last.accept();
  sub.unsubscribe();
  WS.last.drop(1001, 'draining, reconnect elsewhere');
  client.subscribe(['quotes.>'], () => {});
  assert.deepEqual(WS.instances.map((w) => w.url), [A, B]);
  client.close();
});
