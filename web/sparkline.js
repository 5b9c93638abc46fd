// Sparklines: the last values of a series drawn as an inline SVG polyline.

const SVG_NS = 'http://www.w3.org/2000/svg';
export const SPARK_POINTS = 60;
const WIDTH = SPARK_POINTS - 1; // one unit per step
const HEIGHT = 20;
const PAD = 2;

/**
 * sparkPoints returns the "points" of a polyline drawing values (oldest
 * first) in a width x height box: one step per value, the newest at the
 * right edge, y scaled between the smallest and largest value, a flat series
 * in the middle.
 * @param {ArrayLike<number>} values
 * @param {number} [width]
 * @param {number} [height]
 * @param {number} [capacity] how many values fill the width
 * @returns {string}
 */
export function sparkPoints(values, width = WIDTH, height = HEIGHT, capacity = SPARK_POINTS) {
  const n = values.length;
  if (n === 0) return '';
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const step = width / Math.max(1, capacity - 1);
  const start = Math.max(0, capacity - n); // fewer values than fit: start further right
  const span = max - min;
  const round = (v) => Math.round(v * 10) / 10;
  const parts = new Array(n);
  for (let i = 0; i < n; i++) {
    const y = span > 0 ? height - PAD - ((values[i] - min) / span) * (height - 2 * PAD) : height / 2;
    parts[i] = `${round((start + i) * step)},${round(y)}`;
  }
  return parts.join(' ');
}

/**
 * A Sparkline keeps the last SPARK_POINTS finite values pushed to it and
 * draws them into its SVG element (decorative: aria-hidden) on draw().
 */
export class Sparkline {
  constructor() {
    this.values = [];
    this.dirty = false;
    this.element = document.createElementNS(SVG_NS, 'svg');
    this.element.setAttribute('class', 'spark');
    this.element.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this.element.setAttribute('preserveAspectRatio', 'none');
    this.element.setAttribute('aria-hidden', 'true');
    this.element.setAttribute('focusable', 'false');
    this.line = document.createElementNS(SVG_NS, 'polyline');
    this.element.append(this.line);
  }

  push(v) {
    if (!Number.isFinite(v)) return;
    this.values.push(v);
    if (this.values.length > SPARK_POINTS) this.values.shift();
    this.dirty = true;
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    this.line.setAttribute('points', sparkPoints(this.values));
  }
}
