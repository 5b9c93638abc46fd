// The timers of one ticker.js client. Every part of the client (the state
// machine, the transports, the subscription registry) sets its timers here,
// so that close() can cancel all of them at once and leave none behind.

export class Timers {
  /**
   * @param {(fn: () => void, ms: number) => any} setTimer
   * @param {(t: any) => void} clearTimer
   */
  constructor(setTimer, clearTimer) {
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.live = new Set();
  }

  /** size is the number of timers set and not yet run or cancelled. */
  get size() {
    return this.live.size;
  }

  /**
   * later runs fn once after ms and returns a handle for cancel.
   * @param {() => void} fn
   * @param {number} ms
   */
  later(fn, ms) {
    const t = this.setTimer(() => {
      this.live.delete(t);
      fn();
    }, ms);
    this.live.add(t);
    return t;
  }

  /**
   * cancel stops a timer from later (null or undefined: nothing to stop) and
   * returns null, for `x = timers.cancel(x)`.
   * @returns {null}
   */
  cancel(t) {
    if (t !== null && t !== undefined) {
      this.clearTimer(t);
      this.live.delete(t);
    }
    return null;
  }

  /** clear cancels every timer still waiting. */
  clear() {
    for (const t of this.live) this.clearTimer(t);
    this.live.clear();
  }
}
