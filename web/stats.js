// Message statistics for the dashboard header: messages per second and median
// latency over the last second.

const LATENCY_SAMPLES = 4096;

// createStats counts messages and samples latency (receive time - ts) of live
// updates; snapshots are counted but carry an old ts, so they are not sampled.
export function createStats() {
  const samples = new Float64Array(LATENCY_SAMPLES);
  let count = 0;
  let n = 0; // samples held
  let seen = 0; // samples offered in this window
  let since = performance.now();

  return {
    message(ts, snapshot) {
      count++;
      if (snapshot || typeof ts !== 'number') return;
      const ms = Date.now() - ts / 1e6; // (Date.now()*1e6 - ts) ns in ms
      seen++;
      if (n < LATENCY_SAMPLES) {
        samples[n++] = ms;
      } else {
        // Reservoir sampling keeps the median fair above the sample limit.
        const j = Math.floor(Math.random() * seen);
        if (j < LATENCY_SAMPLES) samples[j] = ms;
      }
    },
    /** take returns the rate and median latency since the last call, then resets. */
    take() {
      const now = performance.now();
      const rate = (count * 1000) / Math.max(1, now - since);
      let median = NaN;
      if (n > 0) {
        const s = samples.subarray(0, n).sort();
        median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      }
      count = n = seen = 0;
      since = now;
      return { rate, median };
    },
  };
}
