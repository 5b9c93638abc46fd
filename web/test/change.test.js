import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferencePrices, quoteView, shownSign, tickDirection } from '../change.js';
import { changeFmt, pctFmt } from '../dom.js';
import { QuotesTable } from '../quotes.js';
import { installDocument } from './fake-dom.js';

const signOfText = (s) => (s.startsWith('+') ? 'up' : s.startsWith('-') || s.startsWith('−') ? 'down' : 'flat');

test('the issue: +0.42 after a down tick is green, and the tick is told apart', () => {
  // First price 100.00, then up to 100.50, then a trade down at 100.42.
  const v = quoteView(100.42, 100, 100.5);
  assert.equal(v.change, '+0.42');
  assert.equal(v.changeSign, 'up', 'CHANGE is coloured by its own sign');
  assert.equal(v.pctSign, 'up');
  assert.equal(v.tick, 'down', 'the tick is a separate signal');
});

test('shownSign follows the sign the text shows, after rounding', () => {
  assert.equal(shownSign(changeFmt, 0.42), 'up');
  assert.equal(shownSign(changeFmt, -0.42), 'down');
  assert.equal(shownSign(changeFmt, 0), 'flat');
  assert.equal(shownSign(changeFmt, -0), 'flat');
  assert.equal(shownSign(changeFmt, 0.00004), 'flat', 'shows as 0.00');
  assert.equal(shownSign(changeFmt, -1e-12), 'flat');
  assert.equal(shownSign(changeFmt, NaN), 'flat');
  // +0.01 on $880 is +0.0011 %, which shows as 0.00 %: that cell is not green.
  const v = quoteView(880.01, 880, 880);
  assert.deepEqual([v.change, v.changeSign, v.pct, v.pctSign], ['+0.01', 'up', '0.00%', 'flat']);
});

test('colour and text never disagree, whatever the prices', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  for (let i = 0; i < 5_000; i++) {
    const ref = Math.round((1 + rand() * 900) * 100) / 100;
    const last = Math.round(ref * (1 + (rand() - 0.5) * 0.002) * 100) / 100;
    const v = quoteView(last, ref, undefined);
    assert.equal(v.changeSign, signOfText(v.change), `${last} vs ${ref}: ${v.change}`);
    assert.equal(v.pctSign, signOfText(v.pct), `${last} vs ${ref}: ${v.pct}`);
  }
  assert.equal(signOfText(pctFmt.format(-0.5)), 'down');
});

test('tickDirection: up, down, or nothing to show', () => {
  assert.equal(tickDirection(1, 2), 'up');
  assert.equal(tickDirection(2, 1), 'down');
  assert.equal(tickDirection(2, 2), '');
  assert.equal(tickDirection(undefined, 2), '');
  assert.equal(tickDirection(NaN, 2), '');
  assert.equal(tickDirection(2, NaN), '');
});

test('quoteView without a reference shows dashes and no colour', () => {
  const v = quoteView(NaN, undefined, undefined);
  assert.deepEqual(v, { last: '–', change: '–', changeSign: 'flat', pct: '–', pctSign: 'flat', tick: '' });
});

test('ReferencePrices keeps the first finite price per symbol', () => {
  const r = new ReferencePrices();
  assert.equal(r.see('A', NaN), undefined);
  assert.equal(r.see('A', 10), 10);
  assert.equal(r.see('A', 12), 10);
  assert.equal(r.see('B', 5), 5);
});

// The table itself, on a fake DOM.

function table() {
  const doc = installDocument();
  const tbody = doc.createElement('tbody');
  doc.body.append(tbody);
  const t = new QuotesTable(tbody, doc.createElement('span'));
  const row = (sym) => tbody.childNodes.find((tr) => tr.dataset.symbol === sym);
  const cell = (sym, cls) => row(sym).childNodes.find((td) => td.className.split(' ').includes(cls));
  const tick = (sym, last) => {
    t.update({ symbol: sym, last, bid: last - 0.01, ask: last + 0.01, size: 100, volume: 1 });
    t.flush();
  };
  return { t, row, cell, tick };
}

test('QuotesTable: CHANGE and its colour from the first price; the tick on the row, a neutral flash', () => {
  const { row, cell, tick } = table();
  tick('AAPL', 100);
  assert.equal(row('AAPL').dataset.tick, undefined, 'no tick before a second price');
  tick('AAPL', 100.5);
  tick('AAPL', 100.42);
  assert.equal(cell('AAPL', 'chg').textContent, '+0.42');
  assert.equal(cell('AAPL', 'chg').dataset.sign, 'up');
  assert.equal(cell('AAPL', 'pct').dataset.sign, 'up');
  assert.equal(row('AAPL').dataset.trend, 'up');
  assert.equal(row('AAPL').dataset.tick, 'down');
  assert.equal(cell('AAPL', 'last').textContent, '100.42', 'the arrow is not in the text');
  assert.match(cell('AAPL', 'last').className, /\bflash-[01]\b/);
  assert.doesNotMatch(cell('AAPL', 'last').className, /up|down/, 'the flash has no direction colour');
  tick('AAPL', 99.9);
  assert.deepEqual([cell('AAPL', 'chg').textContent, cell('AAPL', 'chg').dataset.sign, row('AAPL').dataset.trend],
    ['-0.10', 'down', 'down']);
  tick('AAPL', 100);
  assert.deepEqual([cell('AAPL', 'chg').textContent, cell('AAPL', 'chg').dataset.sign, row('AAPL').dataset.tick],
    ['0.00', 'flat', 'up']);
});

test('QuotesTable: a row removed and shown again keeps its reference price', () => {
  const { t, cell, tick } = table();
  tick('MSFT', 400);
  tick('MSFT', 401);
  t.retain(() => false); // e.g. watchlist-only mode
  t.update({ symbol: 'MSFT', last: 402 }); // arrives while hidden
  t.ensure('MSFT');
  tick('MSFT', 403);
  assert.equal(cell('MSFT', 'chg').textContent, '+3.00');
});

test('QuotesTable: the reference is the first price received, even when not drawn', () => {
  const { t, cell } = table();
  t.update({ symbol: 'NVDA', last: 120 }); // the snapshot
  t.update({ symbol: 'NVDA', last: 121 });
  t.flush(); // one frame: only the newest is drawn
  assert.equal(cell('NVDA', 'chg').textContent, '+1.00');
});
