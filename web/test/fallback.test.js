import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransportChoice, WS_FAILURES_BEFORE_SSE } from '../fallback.js';

const both = { websocket: true, sse: true };

test('TransportChoice: the first attempt', () => {
  assert.equal(new TransportChoice('auto', both).current, 'websocket');
  assert.equal(new TransportChoice('auto', { websocket: false, sse: true }).current, 'sse');
  assert.equal(new TransportChoice('sse', both).current, 'sse');
  assert.equal(new TransportChoice('websocket', both).current, 'websocket');
});

test(`TransportChoice: auto falls back after ${WS_FAILURES_BEFORE_SSE} WebSocket failures in a row`, () => {
  const c = new TransportChoice('auto', both);
  c.ended(false);
  c.opened(); // an open resets the count
  c.ended(true);
  for (let i = 0; i < WS_FAILURES_BEFORE_SSE - 1; i++) {
    c.ended(false);
    assert.equal(c.current, 'websocket');
  }
  c.ended(false);
  assert.equal(c.current, 'sse');
});

test('TransportChoice: after SSE, WebSocket gets one more chance; SSE failing too goes back for good', () => {
  const c = new TransportChoice('auto', both);
  for (let i = 0; i < WS_FAILURES_BEFORE_SSE; i++) c.ended(false);
  c.ended(true); // an SSE connection that worked, then ended
  assert.equal(c.current, 'websocket');
  c.ended(false);
  assert.equal(c.current, 'sse', 'one failure returns to SSE');
  c.ended(false); // SSE did not open either: the server is down
  assert.equal(c.current, 'websocket');
  for (let i = 0; i < WS_FAILURES_BEFORE_SSE - 1; i++) {
    c.ended(false);
    assert.equal(c.current, 'websocket', 'the full count again');
  }
});

test('TransportChoice: a fixed transport, or a runtime with only one, never changes', () => {
  for (const [wanted, available, want] of [
    ['websocket', both, 'websocket'],
    ['sse', both, 'sse'],
    ['auto', { websocket: true, sse: false }, 'websocket'],
    ['auto', { websocket: false, sse: true }, 'sse'],
  ]) {
    const c = new TransportChoice(wanted, available);
    for (let i = 0; i < 10; i++) c.ended(i % 2 === 0);
    assert.equal(c.current, want, `${wanted} ${JSON.stringify(available)}`);
  }
});
