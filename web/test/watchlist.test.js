import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SYMBOLS, MAX_SYMBOLS, STORAGE_KEY, Watchlist, parseSymbols } from '../watchlist.js';

function memoryStorage(initial = {}) {
  const m = new Map(Object.entries(initial));
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    map: m,
  };
}

test('parseSymbols splits, upper-cases, drops a quotes. prefix and sorts out the invalid', () => {
  assert.deepEqual(parseSymbols(' aapl, MSFT;nvda  quotes.tsla aapl '), { symbols: ['AAPL', 'MSFT', 'NVDA', 'TSLA'], invalid: [] });
  assert.deepEqual(parseSymbols('BRK-B x.y $$ quotes.> *'), { symbols: ['BRK-B'], invalid: ['x.y', '$$', 'quotes.>', '*'] });
  assert.deepEqual(parseSymbols(''), { symbols: [], invalid: [] });
});

test('a new watchlist starts with the defaults in all-quotes mode', () => {
  const w = new Watchlist(memoryStorage());
  assert.deepEqual(w.symbols, DEFAULT_SYMBOLS);
  assert.equal(w.mode, 'all');
});

test('changes are saved and told to listeners; a new watchlist loads them', () => {
  const storage = memoryStorage();
  const w = new Watchlist(storage);
  const seen = [];
  w.onChange((x) => seen.push(`${x.mode}:${x.symbols.join(',')}`));
  assert.deepEqual(w.add(['TSLA', 'AAPL', 'bad.x']), ['TSLA']);
  assert.equal(w.remove('MSFT'), true);
  assert.equal(w.remove('MSFT'), false);
  w.mode = 'watch';
  w.mode = 'nonsense';
  assert.deepEqual(seen, ['all:AAPL,MSFT,NVDA,TSLA', 'all:AAPL,NVDA,TSLA', 'watch:AAPL,NVDA,TSLA']);
  assert.deepEqual(JSON.parse(storage.getItem(STORAGE_KEY)), { mode: 'watch', symbols: ['AAPL', 'NVDA', 'TSLA'] });
  const again = new Watchlist(storage);
  assert.deepEqual(again.symbols, ['AAPL', 'NVDA', 'TSLA']);
  assert.equal(again.mode, 'watch');
});

test('an empty saved list stays empty; junk in storage is ignored', () => {
  assert.deepEqual(new Watchlist(memoryStorage({ [STORAGE_KEY]: '{"mode":"watch","symbols":[]}' })).symbols, []);
  const junk = new Watchlist(memoryStorage({ [STORAGE_KEY]: '{not json' }));
  assert.deepEqual(junk.symbols, DEFAULT_SYMBOLS);
  const mixed = new Watchlist(memoryStorage({ [STORAGE_KEY]: '{"mode":"x","symbols":["OK",1,"no.pe"]}' }));
  assert.deepEqual(mixed.symbols, ['OK']);
  assert.equal(mixed.mode, 'all');
});

test('works without storage, and with storage that throws', () => {
  const w = new Watchlist(null);
  assert.deepEqual(w.add(['X']), ['X']);
  const throwing = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); } };
  const t = new Watchlist(throwing);
  assert.deepEqual(t.add(['Y']), ['Y']);
});

test('the watchlist is bounded', () => {
  const w = new Watchlist(memoryStorage());
  const many = Array.from({ length: MAX_SYMBOLS + 10 }, (_, i) => `S${i}`);
  w.add(many);
  assert.equal(w.symbols.length, MAX_SYMBOLS);
});
