// The watchlist: the symbols the user follows and whether all quotes are
// shown, kept in localStorage. No DOM here (see watchlist-view.js).

export const STORAGE_KEY = 'ticker.watchlist.v1';
export const DEFAULT_SYMBOLS = Object.freeze(['AAPL', 'MSFT', 'NVDA']);
export const MAX_SYMBOLS = 100;
const SYMBOL = /^[A-Z0-9_-]{1,32}$/;

/**
 * parseSymbols reads what the user typed: symbols separated by spaces,
 * commas or semicolons, upper-cased; a "quotes." prefix is dropped.
 * @param {string} text
 * @returns {{symbols: string[], invalid: string[]}}
 */
export function parseSymbols(text) {
  const symbols = [];
  const invalid = [];
  for (const word of String(text).split(/[\s,;]+/)) {
    if (word === '') continue;
    const s = word.replace(/^quotes\./i, '').toUpperCase();
    if (SYMBOL.test(s)) {
      if (!symbols.includes(s)) symbols.push(s);
    } else {
      invalid.push(word);
    }
  }
  return { symbols, invalid };
}

function browserStorage() {
  try {
    return globalThis.localStorage ?? null; // reading it can throw (storage disabled)
  } catch {
    return null;
  }
}

/**
 * A Watchlist holds symbols (in the order added) and a mode: 'all' shows
 * every quote with the watched ones first, 'watch' only the watched ones.
 * Every change is saved and told to the onChange listeners.
 */
export class Watchlist {
  /**
   * @param {Pick<Storage, 'getItem'|'setItem'>|null} [storage] default: localStorage, if usable
   * @param {string} [key]
   */
  constructor(storage = browserStorage(), key = STORAGE_KEY) {
    this.storage = storage;
    this.key = key;
    this.listeners = [];
    this.list = [...DEFAULT_SYMBOLS];
    this.currentMode = 'all';
    this.load();
  }

  get symbols() {
    return [...this.list];
  }

  get mode() {
    return this.currentMode;
  }

  set mode(m) {
    if ((m === 'all' || m === 'watch') && m !== this.currentMode) {
      this.currentMode = m;
      this.changed();
    }
  }

  has(symbol) {
    return this.list.includes(symbol);
  }

  /**
   * add appends the symbols not yet held, up to MAX_SYMBOLS; it returns the
   * ones added.
   * @param {string[]} symbols
   */
  add(symbols) {
    const added = [];
    for (const s of symbols) {
      if (this.list.length >= MAX_SYMBOLS) break;
      if (SYMBOL.test(s) && !this.list.includes(s)) {
        this.list.push(s);
        added.push(s);
      }
    }
    if (added.length) this.changed();
    return added;
  }

  remove(symbol) {
    const i = this.list.indexOf(symbol);
    if (i < 0) return false;
    this.list.splice(i, 1);
    this.changed();
    return true;
  }

  /** onChange calls fn after every change. */
  onChange(fn) {
    this.listeners.push(fn);
  }

  load() {
    let saved = null;
    try {
      saved = JSON.parse(this.storage?.getItem(this.key) ?? 'null');
    } catch {
      // unreadable: keep the defaults
    }
    if (saved && typeof saved === 'object') {
      if (Array.isArray(saved.symbols)) {
        this.list = saved.symbols.filter((s) => typeof s === 'string' && SYMBOL.test(s)).slice(0, MAX_SYMBOLS);
      }
      if (saved.mode === 'all' || saved.mode === 'watch') this.currentMode = saved.mode;
    }
  }

  changed() {
    try {
      this.storage?.setItem(this.key, JSON.stringify({ mode: this.currentMode, symbols: this.list }));
    } catch {
      // full or disabled: the list still works for this page
    }
    for (const fn of this.listeners) fn(this);
  }
}
