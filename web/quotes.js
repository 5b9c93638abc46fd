// The quotes table: one row per symbol, watched symbols first, then by
// symbol. update() only records what arrives; flush() writes it to the DOM,
// at most once per animation frame (the caller schedules it). What the price
// cells say, and in which colours, is change.js's.

import { ReferencePrices, quoteView } from './change.js';
import { Cell, el, fmt, insertSorted, intFmt, priceFmt, removeSorted, setData } from './dom.js';
import { Sparkline } from './sparkline.js';

const COLUMNS = 9;

export class QuotesTable {
  /**
   * @param {HTMLTableSectionElement} tbody
   * @param {HTMLElement} countEl shows how many rows there are (and are shown)
   */
  constructor(tbody, countEl) {
    this.tbody = tbody;
    this.countEl = countEl;
    this.placeholder = el('tr', 'placeholder', el('td', '', ''));
    this.placeholder.firstChild.colSpan = COLUMNS;
    this.rows = new Map(); // symbol -> row
    this.keys = []; // sort keys, sorted
    this.pending = new Map(); // symbol -> newest quote not yet drawn
    this.references = new ReferencePrices(); // outlives the rows
    this.watched = new Set();
    this.filter = '';
    this.emptyText = 'Waiting for quotes…';
    this.counted = '';
    this.tidy();
  }

  /** update records a quote, its last price for the sparkline, and the symbol's first price. */
  update(q) {
    if (typeof q?.symbol !== 'string' || q.symbol === '') return;
    this.references.see(q.symbol, q.last);
    this.pending.set(q.symbol, q);
    const row = this.rows.get(q.symbol) ?? this.addRow(q.symbol);
    row.spark.push(q.last);
  }

  /** flush draws what arrived since the last flush. */
  flush() {
    if (this.pending.size === 0) return;
    for (const q of this.pending.values()) this.draw(q);
    this.pending.clear();
  }

  /** ensure shows a row for symbol even before its first quote. */
  ensure(symbol) {
    if (!this.rows.has(symbol)) this.addRow(symbol);
  }

  /** retain removes every row whose symbol keep rejects. */
  retain(keep) {
    for (const symbol of [...this.rows.keys()]) if (!keep(symbol)) this.remove(symbol);
  }

  remove(symbol) {
    const row = this.rows.get(symbol);
    if (!row) return;
    row.tr.remove();
    removeSorted(this.keys, row.key);
    this.rows.delete(symbol);
    this.pending.delete(symbol);
    this.tidy();
  }

  /** setWatched marks the watched symbols and moves them to the top. */
  setWatched(symbols) {
    this.watched = new Set(symbols);
    for (const [symbol, row] of this.rows) {
      const watched = this.watched.has(symbol);
      if (watched !== row.watched) {
        row.tr.remove();
        removeSorted(this.keys, row.key);
        this.place(row, symbol, watched);
      }
    }
  }

  /** setFilter shows only rows whose symbol contains text (any case). */
  setFilter(text) {
    this.filter = text.trim().toUpperCase();
    for (const [symbol, row] of this.rows) row.tr.hidden = !this.shows(symbol);
    this.tidy();
  }

  /** setEmptyText sets what the table says while it has no rows. */
  setEmptyText(text) {
    this.emptyText = text;
    this.tidy();
  }

  shows(symbol) {
    return this.filter === '' || symbol.toUpperCase().includes(this.filter);
  }

  // tidy updates the count and the placeholder row.
  tidy() {
    const total = this.rows.size;
    let shown = total;
    if (this.filter) {
      shown = 0;
      for (const symbol of this.rows.keys()) if (this.shows(symbol)) shown++;
    }
    const count = total === 0 ? '' : shown === total ? `(${total})` : `(${shown} of ${total})`;
    if (count !== this.counted) this.countEl.textContent = this.counted = count;
    const text = total === 0 ? this.emptyText : shown === 0 ? `No symbol matches “${this.filter}”.` : '';
    if (text) {
      this.placeholder.firstChild.textContent = text;
      if (!this.placeholder.isConnected) this.tbody.append(this.placeholder);
    } else {
      this.placeholder.remove();
    }
  }

  draw(q) {
    const row = this.rows.get(q.symbol);
    if (!row) return; // removed since it arrived
    const last = q.last;
    const v = quoteView(last, this.references.see(q.symbol, last), row.prev);

    row.last.set(v.last);
    row.change.set(v.change);
    setData(row.change.element, 'sign', v.changeSign);
    row.pct.set(v.pct);
    setData(row.pct.element, 'sign', v.pctSign);
    row.bid.set(fmt(priceFmt, q.bid));
    row.ask.set(fmt(priceFmt, q.ask));
    row.size.set(fmt(intFmt, q.size));
    row.volume.set(fmt(intFmt, q.volume));
    setData(row.tr, 'trend', v.changeSign);
    row.spark.draw();

    if (v.tick) {
      setData(row.tr, 'tick', v.tick); // the arrow beside LAST (style.css)
      row.last.flash();
    }
    row.prev = last;
  }

  addRow(symbol) {
    const star = el('span', 'star', '★');
    star.setAttribute('aria-hidden', 'true');
    const th = el('th', 'sym', star, symbol, el('span', 'visually-hidden', ' (watched)'));
    th.scope = 'row';
    const cell = (cls) => new Cell(el('td', `num ${cls}`));
    const spark = new Sparkline();
    const row = {
      tr: null,
      key: '',
      watched: false,
      spark,
      last: cell('last'),
      change: cell('chg'),
      pct: cell('chg pct'),
      bid: cell('bid'),
      ask: cell('ask'),
      size: cell('size'),
      volume: cell('vol'),
      prev: undefined,
    };
    for (const c of [row.last, row.change, row.pct, row.bid, row.ask, row.size, row.volume]) c.set('–');
    row.tr = el('tr', '', th, el('td', 'trend', spark.element), row.last.element, row.change.element,
      row.pct.element, row.bid.element, row.ask.element, row.size.element, row.volume.element);
    row.tr.dataset.symbol = symbol;
    row.tr.dataset.testid = 'quote-row';
    row.tr.hidden = !this.shows(symbol);
    this.place(row, symbol, this.watched.has(symbol));
    this.rows.set(symbol, row);
    this.tidy();
    return row;
  }

  // place inserts row's element at its sorted position.
  place(row, symbol, watched) {
    row.watched = watched;
    row.key = `${watched ? 0 : 1}${symbol}`;
    row.tr.classList.toggle('watched', watched);
    const i = insertSorted(this.keys, row.key);
    const next = this.keys[i + 1];
    const nextRow = next === undefined ? null : this.rows.get(next.slice(1));
    this.tbody.insertBefore(row.tr, nextRow ? nextRow.tr : null);
  }
}
