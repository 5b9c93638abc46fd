import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sparkPoints } from '../sparkline.js';

test('sparkPoints scales between min and max, newest at the right edge', () => {
  assert.equal(sparkPoints([1, 3, 2], 10, 10, 3), '0,8 5,2 10,5');
  assert.equal(sparkPoints([5, 6], 10, 10, 3), '5,8 10,2', 'fewer values than fit start further right');
});

test('sparkPoints draws a flat series in the middle, and nothing for no values', () => {
  assert.equal(sparkPoints([4, 4, 4], 4, 10, 3), '0,5 2,5 4,5');
  assert.equal(sparkPoints([]), '');
  assert.equal(sparkPoints([7]).split(' ').length, 1);
});
