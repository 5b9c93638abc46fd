// Field deltas and subscription options of the ticker.js client (issue 14).
// A subscription may ask for at most maxRate updates per second per subject
// ("max_rate") and for field deltas ("delta": true): the server then sends
// {"op":"msg","delta":true,"data":{<changed fields>,"seq","ts"}} when the
// previous update it sent of the subject had seq - 1. DeltaBases keeps the
// last full data per subject and merges; a delta that does not follow is an
// error, never merged: the copy is dropped and the subject's subscriptions
// are sent again for a snapshot (its deltas are dropped until a whole
// update comes). Servers without the features ignore the keys.

/**
 * subOptions checks the options of subscribe: maxRate a number >= 0 (0 or
 * absent: unlimited), delta a boolean.
 * @param {{maxRate?: number, delta?: boolean}|undefined} o
 * @returns {{maxRate: number, delta: boolean}}
 */
export function subOptions(o = {}) {
  const maxRate = o?.maxRate ?? 0;
  const delta = o?.delta ?? false;
  if (typeof maxRate !== 'number' || !Number.isFinite(maxRate) || maxRate < 0) {
    throw new TypeError(`ticker: maxRate must be a number >= 0, not ${maxRate}`);
  }
  if (typeof delta !== 'boolean') throw new TypeError(`ticker: delta must be a boolean, not ${delta}`);
  return { maxRate, delta };
}

/** subKeys are the keys options add to a sub op; none for the defaults. */
export function subKeys(o) {
  const keys = {};
  if (o.maxRate > 0) keys.max_rate = o.maxRate;
  if (o.delta) keys.delta = true;
  return keys;
}

/** sameOptions tells whether two subscriptions can share a sub op. */
export function sameOptions(a, b) {
  return a.maxRate === b.maxRate && a.delta === b.delta;
}

/**
 * sseParams are the query parameters of an SSE stream for records: one
 * stream carries every subscription, so deltas only when all ask for them,
 * and a rate limit only when all have one (the highest: a subject gets the
 * highest rate of its patterns).
 * @param {{opts: {maxRate: number, delta: boolean}}[]} recs
 */
export function sseParams(recs) {
  if (recs.length === 0) return {};
  const params = {};
  if (recs.every((r) => r.opts.delta)) params.delta = 'true';
  if (recs.every((r) => r.opts.maxRate > 0)) params.max_rate = String(Math.max(...recs.map((r) => r.opts.maxRate)));
  return params;
}

const num = (v) => (typeof v === 'bigint' ? Number(v) : v);

/** DeltaBases keeps the last full data of the subjects of delta subscriptions. */
export class DeltaBases {
  constructor() {
    this.bases = new Map(); // subject -> {data, seq} or {stale: true}
  }

  /**
   * apply returns the data to deliver for msg m: a whole update as it is
   * (kept when keep), a delta merged onto the subject's last full data. A
   * delta that does not follow calls fail with an error and returns
   * undefined, as does a delta while the subject waits for its snapshot.
   * @param {{subject: string, data: any, delta?: boolean}} m
   * @param {boolean} keep the subject is held by a delta subscription
   * @param {(err: object) => void} fail
   */
  apply(m, keep, fail) {
    const { subject, data } = m;
    if (m.delta !== true) {
      if (keep && data && typeof data === 'object') this.bases.set(subject, { data, seq: num(data.seq) });
      else this.bases.delete(subject);
      return data;
    }
    const base = this.bases.get(subject);
    if (base?.stale) return undefined;
    const seq = num(data?.seq);
    if (!base || typeof seq !== 'number' || seq !== base.seq + 1) {
      this.bases.set(subject, { stale: true });
      fail({
        op: 'error', code: 'delta_gap', subject, subjects: [subject],
        msg: base ? `delta of ${subject} seq ${seq} does not follow seq ${base.seq}` : `delta of ${subject} seq ${seq} without a full update`,
      });
      return undefined;
    }
    const merged = { ...base.data, ...data };
    if (keep) this.bases.set(subject, { data: merged, seq });
    else this.bases.delete(subject);
    return merged;
  }

  /** retain forgets the subjects keep rejects. */
  retain(keep) {
    for (const s of this.bases.keys()) if (!keep(s)) this.bases.delete(s);
  }

  clear() {
    this.bases.clear();
  }
}
