import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSse } from '../transport-sse.js';
import { Timers } from '../timers.js';
import { DEFAULT_TIMING } from '../ticker.js';
import { FakeClock, fakeEventSource, quoteMsg } from './fakes.js';

const URL_ = 'http://gw.test/sse?subjects=quotes.A';

function start(extra = {}) {
  const clock = new FakeClock();
  const ES = fakeEventSource();
  const events = [];
  const errors = [];
  const t = openSse({
    url: URL_, EventSource: ES, fetch: undefined,
    timers: new Timers(clock.setTimeout, clock.clearTimeout), timing: DEFAULT_TIMING,
    report: (e) => errors.push(e), ...extra,
  }, {
    onOpen: () => events.push(['open']),
    onMessage: (m) => events.push(['msg', m.subject ?? m]),
    onClose: (code, reason, opened) => events.push(['close', code, reason, opened]),
    onRefused: (err) => events.push(['refused', err.code]),
  });
  return { t, es: ES.last, clock, events, errors };
}

const tick = () => new Promise((r) => setImmediate(r));

test('transport-sse: opens the URL, passes the events on, sends no ops', () => {
  const s = start();
  assert.equal(s.es.url, URL_);
  assert.equal(s.t.canSend, false);
  s.es.accept();
  assert.equal(s.t.opened, true);
  assert.equal(s.t.send({ op: 'ping' }), false);
  s.es.send(quoteMsg('A', 1));
  s.es.send('{not json');
  assert.deepEqual(s.events, [['open'], ['msg', 'quotes.A']]);
  assert.match(s.errors[0].msg, /unreadable event from server/);
  assert.equal(s.clock.pending, 0, 'the connect timeout is gone once open');
});

test('transport-sse: "event: close" ends it with the server\'s code and closes the stream', () => {
  const s = start();
  s.es.accept();
  s.es.end(1001, 'draining, reconnect elsewhere');
  assert.deepEqual(s.events.at(-1), ['close', 1001, 'draining, reconnect elsewhere', true]);
  assert.equal(s.es.closed, true);
});

test('transport-sse: an error stops EventSource\'s own retry and ends it', () => {
  const lost = start();
  lost.es.accept();
  lost.es.fail(0);
  assert.equal(lost.es.closed, true);
  assert.deepEqual(lost.events.at(-1), ['close', 1006, 'stream lost', true]);

  const failed = start();
  failed.es.fail(2); // refused, but no fetch to ask why
  assert.deepEqual(failed.events, [['close', 1006, 'stream failed', false]]);
  assert.equal(failed.clock.pending, 0);
});

test('transport-sse: a refused stream is asked why; an error object is onRefused', async () => {
  const calls = [];
  const s = start({
    fetch: async (url, init) => {
      calls.push([url, init.headers.Accept]);
      return { status: 403, json: async () => ({ op: 'error', code: 'forbidden', msg: 'subject "x": no' }) };
    },
  });
  s.es.fail(2);
  await tick();
  assert.deepEqual(calls, [[URL_, 'text/event-stream']]);
  assert.deepEqual(s.events, [['refused', 'forbidden']]);
  assert.equal(s.clock.pending, 0, 'the probe\'s timeout is cancelled');
});

test('transport-sse: the answer to the probe picks the close code', async () => {
  for (const [status, body, want] of [
    [400, null, ['refused', 'bad_request']],
    [403, { nope: 1 }, ['refused', 'forbidden']],
    [401, null, ['close', 1008, 'HTTP 401', false]],
    [503, null, ['close', 1013, 'HTTP 503', false]],
    [429, null, ['close', 1013, 'HTTP 429', false]],
    [500, null, ['close', 1006, 'HTTP 500', false]],
  ]) {
    const s = start({ fetch: async () => ({ status, json: async () => { if (!body) throw new Error('no'); return body; } }) });
    s.es.fail(2);
    await tick();
    assert.deepEqual(s.events, [want], `HTTP ${status}`);
  }
  const down = start({ fetch: async () => { throw new TypeError('network'); } });
  down.es.fail(2);
  await tick();
  assert.deepEqual(down.events, [['close', 1006, 'stream failed', false]]);
});

test('transport-sse: closed during the probe, it reports nothing and aborts the request', async () => {
  let signal;
  let answer;
  const s = start({
    fetch: (url, init) => {
      signal = init.signal;
      return new Promise((resolve) => { answer = resolve; });
    },
  });
  s.es.fail(2);
  s.t.close();
  assert.equal(signal.aborted, true);
  answer({ status: 403, json: async () => ({ op: 'error', code: 'forbidden', msg: '' }) });
  await tick();
  assert.deepEqual(s.events, []);
});

test('transport-sse: an attempt that never opens is given up after the connect timeout', () => {
  const s = start();
  s.clock.advance(DEFAULT_TIMING.connectTimeoutMs);
  assert.deepEqual(s.events, [['close', 1006, 'connect timeout', false]]);
  assert.equal(s.es.closed, true);
  s.es.accept();
  assert.equal(s.events.length, 1);
});
