import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sseUrlFor, withParams } from '../url.js';

test('sseUrlFor derives the SSE endpoint from the WebSocket URL', () => {
  assert.equal(sseUrlFor('ws://h:8080/ws'), 'http://h:8080/sse');
  assert.equal(sseUrlFor('wss://h/ws?token=x#f'), 'https://h/sse');
  assert.equal(sseUrlFor('wss://h/gw/ws'), 'https://h/gw/sse');
  assert.equal(sseUrlFor('ws://h/gw/'), 'http://h/gw/sse');
  assert.equal(sseUrlFor('http://h/ws'), 'http://h/sse');
});

test('withParams sets query parameters, leaving out undefined and empty ones', () => {
  assert.equal(withParams('ws://h/ws', { token: 'abc' }), 'ws://h/ws?token=abc');
  assert.equal(withParams('ws://h/ws', { token: undefined }), 'ws://h/ws');
  assert.equal(withParams('ws://h/ws?token=old', { token: 'new', x: '' }), 'ws://h/ws?token=new');
  const u = new URL(withParams('http://h/sse', { subjects: 'quotes.AAPL,scores.nba.*', token: 't' }));
  assert.equal(u.searchParams.get('subjects'), 'quotes.AAPL,scores.nba.*');
  assert.equal(u.searchParams.get('token'), 't');
});

test('withParams rejects a URL it cannot resolve', () => {
  assert.throws(() => withParams('not a url', {}), TypeError);
});
