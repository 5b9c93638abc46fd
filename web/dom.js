// Small DOM helpers shared by the views: element creation, cells that only
// write when their text changes and can flash, sorted insertion, formats.

export const priceFmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
export const changeFmt = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 2, maximumFractionDigits: 4, signDisplay: 'exceptZero',
});
export const pctFmt = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero',
});
export const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** fmt formats v with f, or shows a dash when v is not a finite number. */
export const fmt = (f, v) => (Number.isFinite(v) ? f.format(v) : '–');

/** el creates an element with a class and children (strings become text). */
export function el(tag, className, ...children) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  e.append(...children);
  return e;
}

/**
 * A Cell is an element whose text is written only when it changes and which
 * can flash; the flash alternates between two identical animations so that a
 * new flash restarts the animation without forcing a layout.
 */
export class Cell {
  constructor(element) {
    this.element = element;
    this.text = document.createTextNode('');
    this.base = element.className;
    this.flip = 0;
    element.append(this.text);
  }

  set(s) {
    if (this.text.data !== s) this.text.data = s;
  }

  /** flash highlights the cell for a moment, in one neutral colour whatever changed. */
  flash() {
    this.flip ^= 1;
    this.element.className = `${this.base} flash-${this.flip}`;
  }
}

/** setData sets a data-* attribute only when it changes. */
export function setData(element, key, value) {
  if (element.dataset[key] !== value) element.dataset[key] = value;
}

/** lowerBound returns the first index of the sorted array keys whose key is not less than key. */
function lowerBound(keys, key) {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** insertSorted inserts key into the sorted array keys and returns its index. */
export function insertSorted(keys, key) {
  const i = lowerBound(keys, key);
  keys.splice(i, 0, key);
  return i;
}

/** removeSorted removes key from the sorted array keys, if present. */
export function removeSorted(keys, key) {
  const i = lowerBound(keys, key);
  if (keys[i] === key) keys.splice(i, 1);
}
