// What the quotes table says about a price's movement, kept in two separate
// signals that cannot be mistaken for each other (issue 13):
//
// - the change: the last price against the symbol's reference price, shown
//   as CHANGE and CHANGE % and coloured by the sign each cell shows (green
//   up, red down, neither for zero); the trend line takes the colour of
//   CHANGE. ticker.v1 quotes carry no session open, so the reference is the
//   first price this page saw for the symbol, kept for the page's life;
// - the tick: the direction of the last trade against the one before, shown
//   as an uncoloured arrow beside LAST and a neutral highlight, never in the
//   colours of the change.
//
// No DOM here: quotes.js draws what quoteView returns.

import { changeFmt, fmt, pctFmt, priceFmt } from './dom.js';

/**
 * ReferencePrices holds each symbol's reference price: the first finite
 * last price seen for it. It outlives the table's rows, so a row that is
 * removed and shown again (watchlist mode, filters) keeps its reference.
 */
export class ReferencePrices {
  constructor() {
    this.prices = new Map(); // symbol -> reference price
  }

  /**
   * see returns symbol's reference price, taking last as the reference when
   * the symbol has none yet (undefined while no finite price was seen).
   * @param {string} symbol
   * @param {number} last
   * @returns {number|undefined}
   */
  see(symbol, last) {
    if (!this.prices.has(symbol) && Number.isFinite(last)) this.prices.set(symbol, last);
    return this.prices.get(symbol);
  }
}

/**
 * shownSign is the sign of v as format f shows it, after rounding: 'up' for
 * a plus sign, 'down' for a minus sign, 'flat' for none (zero, or not a
 * number). A colour taken from it always agrees with the text: +0.00004
 * shows as "0.00" and is flat, not green.
 * @param {Intl.NumberFormat} f a format with signDisplay 'exceptZero'
 * @param {number} v
 * @returns {'up'|'down'|'flat'}
 */
export function shownSign(f, v) {
  if (!Number.isFinite(v)) return 'flat';
  for (const part of f.formatToParts(v)) {
    if (part.type === 'plusSign') return 'up';
    if (part.type === 'minusSign') return 'down';
  }
  return 'flat';
}

/**
 * tickDirection is the direction of the trade at last after the one at prev:
 * 'up', 'down', or '' when there is no tick to show (no earlier price, the
 * same price, or a price that is not a number).
 * @param {number|undefined} prev
 * @param {number} last
 * @returns {'up'|'down'|''}
 */
export function tickDirection(prev, last) {
  if (!Number.isFinite(prev) || !Number.isFinite(last) || last === prev) return '';
  return last > prev ? 'up' : 'down';
}

/**
 * @typedef {object} QuoteView the texts and signals of one row's price cells
 * @property {string} last LAST
 * @property {string} change CHANGE: last minus the reference, signed
 * @property {'up'|'down'|'flat'} changeSign the sign CHANGE shows: its colour and the row's trend
 * @property {string} pct CHANGE %
 * @property {'up'|'down'|'flat'} pctSign the sign CHANGE % shows: its colour
 * @property {'up'|'down'|''} tick the direction of this trade after the previous one
 */

/**
 * quoteView computes what a row shows for a last price, given the symbol's
 * reference price and the previous last price drawn.
 * @param {number} last
 * @param {number|undefined} reference
 * @param {number|undefined} prev
 * @returns {QuoteView}
 */
export function quoteView(last, reference, prev) {
  const change = Number.isFinite(reference) ? last - reference : NaN;
  const pct = reference ? (change / reference) * 100 : NaN;
  return {
    last: fmt(priceFmt, last),
    change: fmt(changeFmt, change),
    changeSign: shownSign(changeFmt, change),
    pct: Number.isFinite(pct) ? `${pctFmt.format(pct)}%` : '–',
    pctSign: shownSign(pctFmt, pct),
    tick: tickDirection(prev, last),
  };
}
