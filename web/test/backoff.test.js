import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, retryDelay } from '../backoff.js';
import { setup } from './fakes.js';

const almostOne = () => 1 - 1e-9;

test('retryDelay: the ceiling doubles per attempt up to the cap', () => {
  const ceilings = [];
  for (let n = 0; n < 8; n++) ceilings.push(Math.round(retryDelay(1006, n, almostOne)));
  assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  assert.equal(retryDelay(1006, 1000, almostOne) <= DEFAULT_BACKOFF.capMs, true, 'a huge attempt stays capped');
});

test('retryDelay: full jitter is uniform from 0 to the ceiling', () => {
  assert.equal(retryDelay(1006, 4, () => 0), 0);
  assert.equal(retryDelay(1006, 4, () => 0.25), 2000);
  assert.equal(retryDelay(1011, 4, () => 0.5), 4000);
});

test('retryDelay: 1001 waits at most a second whatever the attempt', () => {
  for (const n of [0, 3, 10]) {
    assert.equal(retryDelay(1001, n, () => 0), 0);
    assert.ok(retryDelay(1001, n, almostOne) <= DEFAULT_BACKOFF.goingAwayMaxMs);
  }
});

test('retryDelay: 1008 and 1013 wait at least the floor', () => {
  for (const code of [1008, 1013]) {
    assert.equal(retryDelay(code, 0, () => 0), DEFAULT_BACKOFF.policyFloorMs);
    assert.equal(retryDelay(code, 2, () => 0.5), DEFAULT_BACKOFF.policyFloorMs + 1000);
  }
});

// The client: the waits it chooses, as its status reports them.

function waits(statuses) {
  return statuses.filter((s) => s.state === 'reconnecting').map((s) => Math.round(s.retryIn));
}

test('client: failed attempts back off exponentially with full jitter, capped', () => {
  const { clock, WS, client, statuses } = setup({ random: almostOne, transport: 'websocket' });
  client.subscribe(['quotes.>'], () => {});
  for (let i = 0; i < 8; i++) {
    WS.last.fail();
    clock.advance(clock.nextIn); // run the retry
  }
  assert.deepEqual(waits(statuses), [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  assert.equal(WS.instances.length, 9);
  client.close();
});

test('client: the wait is random in [0, ceiling]', () => {
  const draws = [0.1, 0.9, 0.5];
  const { clock, WS, client, statuses } = setup({ random: () => draws.shift(), transport: 'websocket' });
  client.subscribe(['quotes.>'], () => {});
  for (let i = 0; i < 3; i++) {
    WS.last.fail();
    clock.advance(clock.nextIn);
  }
  assert.deepEqual(waits(statuses), [50, 900, 1000]);
  client.close();
});

test('client: 1001 reconnects at once, within the jitter window', () => {
  const { clock, WS, client, statuses } = setup({ random: almostOne, transport: 'websocket' });
  client.subscribe(['quotes.>'], () => {});
  for (let i = 0; i < 5; i++) { // build up the backoff first
    WS.last.fail();
    clock.advance(clock.nextIn);
  }
  WS.last.accept();
  WS.last.drop(1001, 'draining, reconnect elsewhere');
  const st = statuses.at(-1);
  assert.equal(st.state, 'reconnecting');
  assert.deepEqual(st.lastClose, { code: 1001, reason: 'draining, reconnect elsewhere' });
  assert.ok(st.retryIn <= 1000, `waits ${st.retryIn} ms after 1001`);
  const before = WS.instances.length;
  clock.advance(1000);
  assert.equal(WS.instances.length, before + 1, 'a new attempt within 1 s');
  client.close();
});

test('client: 1008 and 1013 wait at least the higher floor', () => {
  for (const code of [1008, 1013]) {
    const { clock, WS, client, statuses } = setup({ random: () => 0, transport: 'websocket' });
    client.subscribe(['quotes.>'], () => {});
    WS.last.accept();
    WS.last.drop(code, 'no');
    assert.equal(statuses.at(-1).retryIn, DEFAULT_BACKOFF.policyFloorMs);
    clock.advance(DEFAULT_BACKOFF.policyFloorMs - 1);
    assert.equal(WS.instances.length, 1, `${code}: no attempt before the floor`);
    clock.advance(1);
    assert.equal(WS.instances.length, 2);
    client.close();
  }
});

test('client: a stable open resets the backoff, a short one does not', () => {
  const { clock, WS, client, statuses } = setup({ random: almostOne, transport: 'websocket' });
  client.subscribe(['quotes.>'], () => {});
  for (let i = 0; i < 4; i++) {
    WS.last.fail();
    clock.advance(clock.nextIn);
  }
  // Open, but close after 2 s: still backing off.
  WS.last.accept();
  clock.advance(2_000);
  WS.last.drop(1006);
  assert.equal(Math.round(statuses.at(-1).retryIn), 8_000, 'the fifth wait, as if it had not opened');
  assert.equal(statuses.at(-1).attempt, 5);
  clock.advance(clock.nextIn);
  // Open for 10 s: the next wait starts from the base again.
  WS.last.accept();
  clock.advance(10_000);
  WS.last.message('{"op":"pong"}');
  WS.last.drop(1006);
  assert.equal(Math.round(statuses.at(-1).retryIn), 500);
  client.close();
});
