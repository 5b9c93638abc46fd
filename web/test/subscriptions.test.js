import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESUB_OP_BYTES, SeqGaps, Subscriptions, patternList } from '../subscriptions.js';
import { Timers } from '../timers.js';
import { FakeClock, quoteMsg } from './fakes.js';

// registry returns a registry whose ops are recorded instead of sent.
function registry(extra = {}) {
  const clock = new FakeClock();
  const sent = [];
  const errors = [];
  const removed = [];
  let changes = 0;
  let id = 0;
  const subs = new Subscriptions({
    send: (op) => { sent.push(op); return true; },
    nextId: () => ++id,
    timers: new Timers(clock.setTimeout, clock.clearTimeout),
    rateLimitRetryMs: 1_000,
    report: (e) => errors.push(e),
    onChange: () => changes++,
    onRemoved: (gone) => removed.push(gone),
    ...extra,
  });
  return { subs, clock, sent, errors, removed, get changes() { return changes; } };
}

test('patternList: one string or an array, repeats dropped, never empty', () => {
  assert.deepEqual(patternList('quotes.A', 'subscribe'), ['quotes.A']);
  assert.deepEqual(patternList(['a', 'b', 'a'], 'subscribe'), ['a', 'b']);
  assert.throws(() => patternList([], 'subscribe'), /subscribe needs an array/);
  assert.throws(() => patternList(undefined, 'unsubscribe'), /unsubscribe needs an array/);
});

test('SeqGaps: counts skipped seq numbers per subject; lower or equal is no gap', () => {
  const g = new SeqGaps();
  assert.deepEqual([g.see('a', 5), g.see('a', 6), g.see('a', 9), g.see('a', 9), g.see('a', 1), g.see('a', 3)], [0, 0, 2, 0, 0, 1]);
  assert.equal(g.see('b', 10n), 0);
  assert.equal(g.see('b', 12n), 1, 'bigint seq from msgpack');
  assert.equal(g.see('c', 'x'), 0);
  assert.equal(g.see('c', undefined), 0);
  g.retain((s) => s !== 'a');
  assert.equal(g.see('a', 100), 0, 'forgotten');
  g.clear();
  assert.equal(g.see('b', 50), 0);
});

test('add: a record per call; a bad pattern is refused at once and not held', async () => {
  const t = registry();
  const r = t.subs.add(['quotes.AAPL'], () => {});
  assert.equal(r.active, true);
  assert.equal(t.subs.size, 1);
  assert.deepEqual(r.api.patterns, ['quotes.AAPL']);
  const bad = t.subs.add(['quotes.AA*'], () => {});
  assert.equal(bad.active, false);
  assert.equal(t.subs.size, 1);
  await assert.rejects(bad.api.ready, { code: 'bad_subject' });
  assert.equal(t.errors[0].code, 'bad_subject');
});

test('sendSub and acked: the records of the acked op become live and ready resolves', async () => {
  const t = registry();
  const a = t.subs.add(['quotes.A', 'quotes.B'], () => {});
  const b = t.subs.add(['quotes.B'], () => {});
  t.subs.sendSub([a, b]);
  assert.deepEqual(t.sent, [{ op: 'sub', id: 1, subjects: ['quotes.A', 'quotes.B'] }]);
  assert.equal(t.subs.allLive(), false);
  t.subs.acked(1);
  await Promise.all([a.api.ready, b.api.ready]);
  assert.equal(t.subs.allLive(), true);
  assert.equal(t.changes, 1);
  t.subs.acked(1); // twice, or unknown: ignored
  t.subs.acked(99);
  assert.equal(t.changes, 1);
  t.subs.disconnected();
  assert.equal(t.subs.allLive(), false, 'a lost connection makes every record wait for a new ack');
});

test('resubscribeAll: one op, or several when the pattern text would pass RESUB_OP_BYTES', () => {
  const t = registry();
  t.subs.add(['quotes.A'], () => {});
  t.subs.add(['quotes.B'], () => {});
  t.subs.resubscribeAll();
  assert.deepEqual(t.sent.map((o) => o.subjects), [['quotes.A', 'quotes.B']]);

  const big = registry();
  const long = (i) => `quotes.${String(i).padStart(200, 'x')}`;
  const per = 40; // patterns per record, about 8 KiB of text
  for (let r = 0; r < 5; r++) big.subs.add(Array.from({ length: per }, (_, i) => long(r * per + i)), () => {});
  big.subs.resubscribeAll();
  assert.ok(big.sent.length > 1, 'more than one op');
  for (const op of big.sent) {
    const bytes = op.subjects.reduce((n, p) => n + p.length + 3, 0);
    assert.ok(bytes <= RESUB_OP_BYTES, `${bytes} bytes in one op`);
  }
  assert.equal(big.sent.flatMap((o) => o.subjects).length, 5 * per, 'every pattern once');
});

test('refused: a refused sub rejects its record; a refused resubscribe looks for the culprit', async () => {
  const t = registry();
  const a = t.subs.add(['quotes.A'], () => {});
  const b = t.subs.add(['secret.x'], () => {});
  t.subs.resubscribeAll();
  t.subs.refused({ op: 'error', id: 1, code: 'forbidden', msg: 'no' });
  assert.deepEqual(t.sent.slice(1).map((o) => o.subjects), [['quotes.A'], ['secret.x']]);
  assert.equal(t.errors.length, 0, 'not yet known whose fault it is');
  t.subs.acked(2);
  t.subs.refused({ op: 'error', id: 3, code: 'forbidden', msg: 'no' });
  await a.api.ready;
  await assert.rejects(b.api.ready, { code: 'forbidden', subjects: ['secret.x'] });
  assert.equal(b.api.active, false);
  assert.deepEqual([...t.subs.held()], ['quotes.A']);
  assert.equal(t.errors.length, 1);
});

test('refused: rate_limited is sent again later, unless the connection was lost meanwhile', () => {
  const t = registry();
  const r = t.subs.add(['quotes.A'], () => {});
  t.subs.sendSub([r]);
  t.subs.refused({ op: 'error', id: 1, code: 'rate_limited', msg: '' });
  t.clock.advance(999);
  assert.equal(t.sent.length, 1);
  t.clock.advance(1);
  assert.deepEqual(t.sent[1], { op: 'sub', id: 2, subjects: ['quotes.A'] });

  t.subs.refused({ op: 'error', id: 2, code: 'rate_limited', msg: '' });
  t.subs.disconnected(); // the retry belonged to that connection
  t.clock.advance(1_000);
  assert.equal(t.sent.length, 2);
  assert.equal(t.errors.length, 0);
});

test('refused: errors without a pending op, and refused unsubs, are reported', () => {
  const t = registry();
  t.subs.refused({ op: 'error', code: 'bad_request', msg: 'huh' });
  t.subs.sendUnsub(['quotes.A']);
  t.subs.refused({ op: 'error', id: 1, code: 'rate_limited', msg: '' });
  assert.deepEqual(t.errors.map((e) => [e.code, e.subjects]), [['bad_request', undefined], ['rate_limited', ['quotes.A']]]);
});

test('refuseStream: the unconfirmed records the error names, else all unconfirmed ones', async () => {
  const t = registry();
  const old = t.subs.add(['quotes.A'], () => {});
  t.subs.confirmAll([old]);
  const x = t.subs.add(['secret.x'], () => {});
  const y = t.subs.add(['quotes.B'], () => {});
  assert.equal(t.subs.refuseStream(t.subs.list(), { op: 'error', code: 'forbidden', msg: 'subject "secret.x": not allowed' }), true);
  await assert.rejects(x.api.ready, { code: 'forbidden' });
  assert.equal(y.api.active, true);
  assert.equal(t.subs.refuseStream(t.subs.list(), { op: 'error', code: 'forbidden', msg: 'no' }), true);
  assert.equal(y.api.active, false, 'named none: every unconfirmed one');
  assert.equal(t.subs.refuseStream(t.subs.list(), { op: 'error', code: 'forbidden', msg: 'no' }), false, 'only confirmed ones left');
  assert.equal(old.api.active, true);
});

test('deliver: once per handler, with the gap, and not to records gone meanwhile', () => {
  const t = registry();
  const got = [];
  const h = (m) => got.push(['h', m.subject, m.snapshot, m.gap]);
  t.subs.add(['quotes.>'], h);
  t.subs.add(['quotes.A'], h);
  const other = t.subs.add(['quotes.*'], (m) => got.push(['o', m.subject, m.snapshot, m.gap]));
  t.subs.deliver(quoteMsg('A', 1, { snapshot: true }));
  t.subs.deliver(quoteMsg('A', 4));
  other.api.unsubscribe();
  t.subs.deliver(quoteMsg('A', 5));
  t.subs.deliver({ subject: 'scores.nba.g1', data: {} }); // no pattern matches
  assert.deepEqual(got, [
    ['h', 'quotes.A', true, undefined], ['o', 'quotes.A', true, undefined],
    ['h', 'quotes.A', false, 2], ['o', 'quotes.A', false, 2],
    ['h', 'quotes.A', false, undefined],
  ]);
});

test('deliver: a handler that throws is reported, the others still get the message', () => {
  const t = registry();
  const got = [];
  t.subs.add(['quotes.A'], () => { throw new Error('boom'); });
  t.subs.add(['quotes.A'], (m) => got.push(m.subject));
  t.subs.deliver(quoteMsg('A', 1));
  assert.deepEqual(got, ['quotes.A']);
  assert.match(t.errors[0].msg, /handler for quotes.A threw: boom/);
});

test('remove: patterns no record holds any more go to onRemoved; an emptied record ends', async () => {
  const t = registry();
  const x = t.subs.add(['quotes.A', 'quotes.B'], () => {});
  const y = t.subs.add(['quotes.A'], () => {});
  x.api.unsubscribe(['quotes.A']);
  assert.deepEqual(t.removed, [], 'quotes.A is still held by y');
  x.api.unsubscribe();
  assert.deepEqual(t.removed, [['quotes.B']]);
  assert.equal(x.api.active, false);
  await x.api.ready; // resolves: it will not be refused any more
  t.subs.unsubscribe(['quotes.A']);
  assert.deepEqual(t.removed, [['quotes.B'], ['quotes.A']]);
  assert.equal(y.api.active, false);
  assert.equal(t.subs.size, 0);
});

test('remove: seq state of subjects no pattern matches any more is forgotten', () => {
  const t = registry();
  const got = [];
  const sub = t.subs.add(['quotes.A'], (m) => got.push(m.gap));
  t.subs.deliver(quoteMsg('A', 1));
  sub.api.unsubscribe();
  t.subs.add(['quotes.A'], (m) => got.push(m.gap));
  t.subs.deliver(quoteMsg('A', 9));
  assert.deepEqual(got, [undefined, undefined], 'no gap across a fresh subscription');
});

test('close: unconfirmed records reject with closed, confirmed ones just end', async () => {
  const t = registry();
  const a = t.subs.add(['quotes.A'], () => {});
  const b = t.subs.add(['quotes.B'], () => {});
  t.subs.confirmAll([a]);
  t.subs.close();
  await a.api.ready;
  await assert.rejects(b.api.ready, { code: 'closed', subjects: ['quotes.B'] });
  assert.equal(a.api.active, false);
  assert.equal(t.subs.size, 0);
});
