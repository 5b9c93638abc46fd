import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timers } from '../timers.js';
import { FakeClock } from './fakes.js';

function timers() {
  const clock = new FakeClock();
  return { clock, timers: new Timers(clock.setTimeout, clock.clearTimeout) };
}

test('Timers: later runs once and is forgotten when it has run', () => {
  const { clock, timers: t } = timers();
  const ran = [];
  t.later(() => ran.push('a'), 10);
  t.later(() => ran.push('b'), 5);
  assert.equal(t.size, 2);
  clock.advance(10);
  assert.deepEqual(ran, ['b', 'a']);
  assert.equal(t.size, 0);
});

test('Timers: cancel stops one timer and returns null; null and undefined are fine', () => {
  const { clock, timers: t } = timers();
  let ran = false;
  let h = t.later(() => { ran = true; }, 10);
  h = t.cancel(h);
  assert.equal(h, null);
  assert.equal(t.cancel(null), null);
  assert.equal(t.cancel(undefined), null);
  clock.advance(20);
  assert.equal(ran, false);
  assert.equal(t.size, 0);
  assert.equal(clock.pending, 0);
});

test('Timers: clear cancels every timer, whoever set it', () => {
  const { clock, timers: t } = timers();
  let ran = 0;
  for (let i = 1; i <= 3; i++) t.later(() => ran++, i * 100);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(clock.pending, 0);
  clock.advance(1_000);
  assert.equal(ran, 0);
});
