import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoints, nextUrl, sseUrlFor, withParams } from '../url.js';

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

test('endpoints pairs each WebSocket URL with its SSE endpoint', () => {
  assert.deepEqual(endpoints('ws://a/ws'), [{ ws: 'ws://a/ws', sse: 'http://a/sse' }]);
  assert.deepEqual(endpoints(['ws://a/ws', 'wss://b/gw/ws']), [
    { ws: 'ws://a/ws', sse: 'http://a/sse' },
    { ws: 'wss://b/gw/ws', sse: 'https://b/gw/sse' },
  ]);
  assert.deepEqual(endpoints('ws://a/ws', 'http://a/stream'), [{ ws: 'ws://a/ws', sse: 'http://a/stream' }]);
  assert.deepEqual(endpoints(['ws://a/ws', 'ws://b/ws'], ['http://a/s', 'http://b/s']).map((e) => e.sse), ['http://a/s', 'http://b/s']);
  assert.throws(() => endpoints([]), TypeError);
  assert.throws(() => endpoints(['ws://a/ws', 7]), TypeError);
  assert.throws(() => endpoints(['ws://a/ws', 'ws://b/ws'], 'http://a/sse'), TypeError, 'one SSE endpoint for two URLs');
});

test('nextUrl: after 1001 or 1013 one of the other URLs at random, otherwise the next in turn', () => {
  for (const [name, cur, n, code, draw, want] of [
    ['one URL: always it', 0, 1, 1013, 0.9, 0],
    ['two URLs, refused: the other', 1, 2, 1013, 0.9, 0],
    ['drained: the lowest draw takes the first other', 0, 4, 1001, 0, 1],
    ['drained: a middle draw skips the drained one', 1, 4, 1001, 0.4, 2],
    ['refused: the top draw takes the last', 3, 4, 1013, 0.999999, 2],
    ['refused: a draw of 1 stays in range', 0, 3, 1013, 1, 2],
    ['lost: the next in turn', 1, 4, 1006, 0.9, 2],
    ['lost at the end: around to the first', 3, 4, 1006, 0.9, 0],
    ['slow consumer: the next in turn', 0, 3, 1008, 0.9, 1],
  ]) {
    assert.equal(nextUrl(cur, n, code, () => draw), want, name);
  }
});

test('nextUrl: the clients of a drained pod spread evenly over the others', () => {
  const seen = [0, 0, 0, 0, 0];
  for (let k = 0; k < 100; k++) seen[nextUrl(2, 5, 1001, () => k / 100)]++;
  assert.deepEqual(seen, [25, 25, 0, 25, 25]);
});
