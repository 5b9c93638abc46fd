import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, MAX_RETRY_HINT_MS, retryAfterMs, retryDelay, retryHint } from '../backoff.js';
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

test('retryHint reads "retry after <N>ms" at the end of a reason, clamped', () => {
  for (const [reason, want] of [
    ['try again later: too many new connections; retry after 2500ms', 2500],
    ['try again later: connection limit reached; retry after 1000ms', 1000],
    ['retry after 0ms', 0],
    ['retry after 1000ms ', 1000],
    ['HTTP 503; retry after 3000ms', 3000],
    ['retry after 61000ms', MAX_RETRY_HINT_MS],
    ['retry after 99999999999999999999999999ms', MAX_RETRY_HINT_MS],
    ['try again later: connection limit reached', null],
    ['', null],
    [undefined, null],
    ['retry after ms', null],
    ['retry after -5ms', null],
    ['retry after 5s', null],
    ['retry after 1e3ms', null],
    ['retry after 2500ms, or later', null],
    ['retry after 0x10ms', null],
  ]) {
    assert.equal(retryHint(reason), want, JSON.stringify(reason));
  }
});

test('retryHint never returns a negative hint or one above the cap', () => {
  const alphabet = 'retry af0123456789ms;- x';
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    let s = Math.floor(rand() * 2) ? 'retry after ' : '';
    for (let n = Math.floor(rand() * 30); n > 0; n--) s += alphabet[Math.floor(rand() * alphabet.length)];
    const h = retryHint(s);
    assert.ok(h === null || (h >= 0 && h <= MAX_RETRY_HINT_MS), `${JSON.stringify(s)}: ${h}`);
  }
});

test('retryAfterMs reads whole seconds only, clamped', () => {
  for (const [value, want] of [['3', 3000], [' 1 ', 1000], ['120', MAX_RETRY_HINT_MS], ['', null], [null, null],
    ['1.5', null], ['-1', null], ['Wed, 21 Oct 2015 07:28:00 GMT', null]]) {
    assert.equal(retryAfterMs(value), want, JSON.stringify(value));
  }
});

test('retryDelay: 1013 with a hint is full jitter over max(hint, ceiling), without the floor', () => {
  const hinted = 'try again later: too many new connections; retry after 2500ms';
  for (const [name, code, reason, attempt, draw, want] of [
    ['the hint, from 0', 1013, hinted, 0, 0, 0],
    ['the hint, at the top', 1013, hinted, 0, almostOne(), 2500],
    ['the hint, uniform', 1013, hinted, 0, 0.5, 1250],
    ['a ceiling above the hint wins', 1013, 'retry after 1000ms', 3, almostOne(), 4000],
    ['a hint above the cap', 1013, 'retry after 60000ms', 40, 0.5, 30000],
    ['no readable hint: the floor on top', 1013, 'retry after soon', 1, 0.5, DEFAULT_BACKOFF.policyFloorMs + 500],
    ['a hint on 1008 is not read', 1008, 'rate limit exceeded; retry after 100ms', 0, 0, DEFAULT_BACKOFF.policyFloorMs],
  ]) {
    assert.equal(Math.round(retryDelay(code, attempt, () => draw, DEFAULT_BACKOFF, reason)), want, name);
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

test('client: 1013 with a hint waits within the hint, reports it, and the attempts still count', () => {
  const { clock, WS, client, statuses } = setup({ random: almostOne, transport: 'websocket' });
  client.subscribe(['quotes.>'], () => {});
  WS.last.accept();
  WS.last.drop(1013, 'try again later: too many new connections; retry after 2500ms');
  let st = statuses.at(-1);
  assert.deepEqual([st.state, st.attempt, st.retryHint, Math.round(st.retryIn)], ['reconnecting', 1, 2500, 2500]);
  clock.advance(clock.nextIn);
  WS.last.drop(1013, 'try again later: connection limit reached');
  st = statuses.at(-1);
  assert.equal(st.retryHint, undefined, 'no hint this time');
  assert.equal(Math.round(st.retryIn), DEFAULT_BACKOFF.policyFloorMs + 1000, 'the floor, on the second ceiling');
  client.close();
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
