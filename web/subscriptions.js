// The subscription registry of the ticker.js client: what the application
// subscribed (each subscribe call is a record: its patterns and its handler),
// the sub and unsub ops in flight and their acks, refusals (a refused
// resubscribe is retried one record at a time to find the culprit, a
// rate_limited sub is sent again a little later), resubscribing everything
// on a new connection in ops of bounded size, delivering each message once
// per handler, and seq gaps per subject. It knows nothing of sockets: it
// sends ops through the function the client gives it.

import { matches, patternError } from './subject.js';
import { clientError, errText } from './errors.js';
import { DeltaBases, subOptions, subKeys, sameOptions } from './delta.js';

/** Resubscribe in ops of at most this much pattern text. */
export const RESUB_OP_BYTES = 16 * 1024;

const noop = () => {};

/**
 * patternList checks the patterns argument of subscribe or unsubscribe: an
 * array of strings (or one string), not empty; repeats are dropped.
 * @param {string|string[]} patterns
 * @param {string} what the caller, for the error message
 * @returns {string[]}
 */
export function patternList(patterns, what) {
  const list = typeof patterns === 'string' ? [patterns] : Array.isArray(patterns) ? patterns : null;
  if (!list || list.length === 0) throw new TypeError(`ticker: ${what} needs an array of patterns`);
  return [...new Set(list)];
}

/**
 * SeqGaps tracks the last seq seen per subject and tells how many were
 * skipped. A seq lower than or equal to the last is a replayed snapshot or a
 * restarted publisher: no gap.
 */
export class SeqGaps {
  constructor() {
    this.last = new Map(); // subject -> last seq seen
  }

  /**
   * see records seq (a number or a bigint; anything else is ignored) for
   * subject and returns how many seq numbers were skipped before it, or 0.
   */
  see(subject, raw) {
    const seq = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof seq !== 'number' || !Number.isFinite(seq)) return 0;
    const prev = this.last.get(subject);
    this.last.set(subject, seq);
    return prev !== undefined && seq > prev + 1 ? seq - prev - 1 : 0;
  }

  /** retain forgets the subjects keep rejects. */
  retain(keep) {
    for (const subject of this.last.keys()) if (!keep(subject)) this.last.delete(subject);
  }

  clear() {
    this.last.clear();
  }
}

/**
 * @typedef {object} RegistryOptions
 * @property {(op: object) => boolean} send sends an op on the current connection (false: not sent)
 * @property {() => number|string} nextId a fresh op id
 * @property {import('./timers.js').Timers} timers
 * @property {number} rateLimitRetryMs resend a sub refused with rate_limited after this
 * @property {(err: object) => void} report errors for the application (onError)
 * @property {() => void} [onChange] a record became live or was refused: the status may change
 * @property {(gone: string[]) => void} [onRemoved] patterns no record holds any more
 * @property {(recs: SubRecord[], subject: string) => void} [resync] a delta of subject could not
 *   be applied: subscribe recs again for a snapshot
 */

/**
 * A record is one subscribe call. The client passes records around (the ones
 * an SSE stream was opened with); only the registry changes them.
 * @typedef {object} SubRecord
 * @property {Set<string>} patterns
 * @property {(msg: object) => void} handler
 * @property {{maxRate: number, delta: boolean}} opts what the subscription asked of the server
 * @property {boolean} active false once unsubscribed, refused or closed
 * @property {boolean} live in effect on the current connection
 * @property {boolean} confirmed ready has resolved
 * @property {import('./ticker.js').Subscription} api what subscribe returns
 */

export class Subscriptions {
  /** @param {RegistryOptions} o */
  constructor(o) {
    this.o = { onChange: noop, onRemoved: noop, resync: noop, ...o };
    this.bases = new DeltaBases();
    this.records = new Set(); // live subscriptions, in the order they were made
    this.pending = new Map(); // op id -> {kind: 'sub'|'unsub', records, patterns, resub}
    this.gaps = new SeqGaps();
    this.epoch = 0; // counts connections lost, so a retry meant for an old one is dropped
  }

  /** size is the number of records held. */
  get size() {
    return this.records.size;
  }

  /** held is the set of every pattern some record holds. */
  held() {
    const set = new Set();
    for (const r of this.records) for (const p of r.patterns) set.add(p);
    return set;
  }

  /** allLive tells whether every record is in effect on the current connection. */
  allLive() {
    for (const r of this.records) if (!r.live) return false;
    return true;
  }

  /** list returns the records, in the order they were made. */
  list() {
    return [...this.records];
  }

  /**
   * add makes a record for a subscribe call (list from patternList). A
   * pattern that breaks the subject rules refuses it at once, without asking
   * the server: the record is returned inactive and not held.
   * @param {string[]} list
   * @param {(msg: object) => void} handler
   * @returns {SubRecord}
   */
  add(list, handler, opts) {
    const r = {
      patterns: new Set(list), handler, opts: subOptions(opts), active: true, live: false, confirmed: false,
      resolve: noop, reject: noop, ready: null, api: null,
    };
    r.ready = new Promise((resolve, reject) => {
      r.resolve = resolve;
      r.reject = reject;
    });
    r.ready.catch(noop); // a refusal is also reported to onError
    const registry = this;
    r.api = {
      get patterns() { return [...r.patterns]; },
      get active() { return r.active; },
      ready: r.ready,
      unsubscribe(some) {
        if (r.active) registry.remove([r], some === undefined ? [...r.patterns] : patternList(some, 'unsubscribe'));
      },
    };
    const bad = list.find((p) => patternError(p) !== '');
    if (bad !== undefined) {
      r.active = false;
      const err = { op: 'error', code: 'bad_subject', msg: `subject ${JSON.stringify(bad)}: ${patternError(bad)}`, subjects: list };
      r.reject(err);
      this.o.report(err);
      return r;
    }
    this.records.add(r);
    return r;
  }

  /**
   * remove drops patterns from records (a record left with none ends) and
   * reports the patterns no record holds any more to onRemoved.
   * @param {SubRecord[]} recs
   * @param {string[]} drop
   */
  remove(recs, drop, tellServer = true) {
    const before = this.held();
    for (const r of recs) {
      for (const p of drop) r.patterns.delete(p);
      if (r.patterns.size === 0 && this.records.delete(r)) {
        r.active = false;
        r.resolve(); // a ready still waiting will not be refused any more
      }
    }
    const after = this.held();
    const gone = [...before].filter((p) => !after.has(p));
    if (gone.length === 0) return;
    this.forgetUnmatched();
    if (tellServer) this.o.onRemoved(gone);
  }

  /**
   * revoked handles a revoked message: a new token no longer grants its
   * patterns, which the server removed already. They are dropped from every
   * record (not resubscribed after a reconnect) and the message is reported.
   * @param {{subjects?: string[], code?: string, msg?: string}} m
   */
  revoked(m) {
    const gone = Array.isArray(m.subjects) ? m.subjects.filter((p) => typeof p === 'string') : [];
    this.remove([...this.records], gone, false);
    this.o.report({ ...m, op: 'revoked', code: m.code ?? 'forbidden', subjects: gone });
    this.o.onChange();
  }

  /** unsubscribe drops patterns from every record. */
  unsubscribe(patterns) {
    this.remove([...this.records], patterns);
  }

  // --- ops ---

  /**
   * sendSub sends one sub op for the patterns of recs; resub marks a
   * resubscribe after a reconnect (a refusal then looks for the culprit).
   */
  sendSub(recs, resub = false) {
    // One op per set of options: max_rate and delta are per sub op.
    const groups = [];
    for (const r of recs) {
      const g = groups.find((x) => sameOptions(x[0].opts, r.opts));
      if (g) g.push(r);
      else groups.push([r]);
    }
    for (const group of groups) {
      const patterns = [...new Set(group.flatMap((r) => [...r.patterns]))];
      if (patterns.length === 0) continue;
      const id = this.o.nextId();
      this.pending.set(id, { kind: 'sub', records: group, patterns, resub });
      this.o.send({ op: 'sub', id, subjects: patterns, ...subKeys(group[0].opts) });
    }
  }

  /** sendUnsub sends one unsub op for patterns. */
  sendUnsub(patterns) {
    const id = this.o.nextId();
    this.pending.set(id, { kind: 'unsub', records: [], patterns });
    this.o.send({ op: 'unsub', id, subjects: patterns });
  }

  /**
   * resubscribeAll sends every held pattern on a new connection: one op for
   * all of them unless that would make a large frame.
   */
  resubscribeAll() {
    let batch = [];
    let bytes = 0;
    for (const r of this.records) {
      const size = [...r.patterns].reduce((n, p) => n + p.length + 3, 0);
      if (batch.length && (bytes + size > RESUB_OP_BYTES || !sameOptions(batch[0].opts, r.opts))) {
        this.sendSub(batch, true);
        batch = [];
        bytes = 0;
      }
      batch.push(r);
      bytes += size;
    }
    if (batch.length) this.sendSub(batch, true);
  }

  /** acked handles an ack: the records of that sub are live. */
  acked(id) {
    const op = this.pending.get(id);
    if (!op) return;
    this.pending.delete(id);
    if (op.kind === 'sub') {
      this.confirmAll(op.records);
      this.o.onChange();
    }
  }

  /** refused handles an error reply from the server. */
  refused(m) {
    const op = m.id === undefined || m.id === null ? undefined : this.pending.get(m.id);
    if (!op) {
      this.o.report(m);
      return;
    }
    this.pending.delete(m.id);
    if (op.kind !== 'sub') {
      this.o.report({ ...m, subjects: op.patterns });
      return;
    }
    const alive = op.records.filter((r) => this.records.has(r));
    if (m.code === 'rate_limited') {
      const epoch = this.epoch;
      this.o.timers.later(() => {
        if (this.epoch === epoch) this.sendSub(alive.filter((r) => this.records.has(r)), op.resub);
      }, this.o.rateLimitRetryMs);
      return;
    }
    if (op.resub && alive.length > 1) {
      // A sub is all-or-nothing: find the culprits one subscription at a time.
      for (const r of alive) this.sendSub([r], true);
      return;
    }
    for (const r of alive) this.refuse(r, { ...m, subjects: [...r.patterns] });
    this.o.onChange();
  }

  /**
   * refuseStream handles an SSE stream refused for its subjects. SSE has no
   * per-subscription answer, so the suspects are the records of the stream
   * (recs) not confirmed yet; of those, the ones whose pattern the error
   * names, if any. It refuses them and returns false when there were none.
   * @param {SubRecord[]} recs
   * @param {{code: string, msg?: string}} err
   */
  refuseStream(recs, err) {
    const suspects = recs.filter((r) => this.records.has(r) && !r.confirmed);
    const named = suspects.filter((r) => [...r.patterns].some((p) => err.msg?.includes(`"${p}"`)));
    const culprits = named.length ? named : suspects;
    for (const r of culprits) this.refuse(r, { ...err, subjects: [...r.patterns] });
    return culprits.length > 0;
  }

  /** confirmAll makes the records of recs still held live (an ack, an SSE stream open). */
  confirmAll(recs) {
    for (const r of recs) {
      if (!this.records.has(r)) continue;
      r.live = true;
      if (!r.confirmed) {
        r.confirmed = true;
        r.resolve();
      }
    }
  }

  refuse(r, err) {
    this.records.delete(r);
    r.active = false;
    this.forgetUnmatched();
    r.reject(err);
    this.o.report(err);
  }

  // --- messages ---

  /**
   * deliver hands a msg to the handler of every record with a matching
   * pattern, once per handler, with its seq gap.
   * @param {{subject: string, data: any, snapshot?: boolean}} m
   */
  deliver(m) {
    const subject = m.subject;
    const targets = [];
    const handlers = new Set();
    let wantsDelta = false; // some subscription of the subject asked for deltas: keep its base
    for (const r of this.records) {
      if (![...r.patterns].some((p) => matches(p, subject))) continue;
      wantsDelta ||= r.opts.delta;
      if (handlers.has(r.handler)) continue;
      handlers.add(r.handler);
      targets.push(r);
    }
    if (targets.length === 0) return; // in flight when it was unsubscribed
    const data = this.bases.apply(m, wantsDelta, (err) => {
      this.o.report(err);
      const recs = [...this.records].filter((r) => [...r.patterns].some((p) => matches(p, subject)));
      this.o.resync(recs, subject);
    });
    if (data === undefined) return; // a delta not applied: reported, or waiting for the snapshot
    const msg = { subject, data, snapshot: m.snapshot === true };
    if (m.delta === true) msg.delta = true;
    const gap = this.gaps.see(subject, m.data?.seq);
    if (gap > 0) msg.gap = gap;
    for (const r of targets) {
      if (!r.active) continue; // an earlier handler unsubscribed it
      try {
        r.handler(msg);
      } catch (e) {
        this.o.report(clientError(`handler for ${subject} threw: ${errText(e)}`, e));
      }
    }
  }

  forgetUnmatched() {
    const held = [...this.held()];
    this.gaps.retain((subject) => held.some((p) => matches(p, subject)));
    this.bases.retain((subject) => held.some((p) => matches(p, subject)));
  }

  // --- the connection ---

  /** disconnected: the connection is gone, with the ops in flight on it. */
  disconnected() {
    this.pending.clear();
    this.bases.clear(); // the next connection's snapshots come whole
    for (const r of this.records) r.live = false;
    this.epoch++;
  }

  /** close ends every record; a ready still waiting rejects with code 'closed'. */
  close() {
    this.disconnected();
    for (const r of this.records) {
      r.active = false;
      if (!r.confirmed) r.reject({ op: 'error', code: 'closed', msg: 'client closed', subjects: [...r.patterns] });
    }
    this.records.clear();
    this.gaps.clear();
    this.bases.clear();
  }
}
