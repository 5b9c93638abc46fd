import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, patternError } from '../subject.js';

test('patternError accepts valid patterns', () => {
  for (const p of ['quotes.AAPL', 'quotes.*', 'quotes.>', 'scores.*.g0042', 'a-b_c.D9', '>', '*']) {
    assert.equal(patternError(p), '', p);
  }
});

test('patternError names what is wrong', () => {
  const cases = {
    '': 'empty',
    'quotes.': 'empty token',
    'quotes..A': 'empty token',
    'quotes.AA*': 'invalid token',
    'quotes.>.x': "'>' must be the last token",
    'quotes.A B': 'invalid token',
    'quotes.$': 'invalid token',
    [Array(17).fill('a').join('.')]: 'more than 16 tokens',
    ['q.' + 'x'.repeat(300)]: 'longer than 256 bytes',
  };
  for (const [p, want] of Object.entries(cases)) assert.match(patternError(p), new RegExp(want.replace(/[*$]/g, '\\$&')), p);
  assert.equal(patternError(42), 'not a string');
});

test('matches follows the protocol table', () => {
  const yes = [
    ['quotes.AAPL', 'quotes.AAPL'], ['quotes.*', 'quotes.MSFT'], ['quotes.>', 'quotes.AAPL'],
    ['quotes.>', 'quotes.A.B'], ['scores.nba.*', 'scores.nba.g0042'], ['scores.*.g0042', 'scores.nhl.g0042'],
    ['>', 'x'], ['*.*', 'a.b'],
  ];
  const no = [
    ['quotes.AAPL', 'quotes.MSFT'], ['quotes.*', 'quotes'], ['quotes.*', 'quotes.A.B'], ['quotes.>', 'quotes'],
    ['scores.nba.*', 'scores.nhl.g0007'], ['scores.*.g0042', 'scores.nba.g0043'], ['quotes.AAPL', 'quotes.AAPL.x'],
  ];
  for (const [p, s] of yes) assert.equal(matches(p, s), true, `${p} ~ ${s}`);
  for (const [p, s] of no) assert.equal(matches(p, s), false, `${p} !~ ${s}`);
});
