package client

import (
	"math"
	"slices"

	"github.com/ticker-dev/ticker/internal/protocol"
)

// SubscribeOptions are the extension points of a subscription. Today's
// gateway ignores both keys (unknown keys are ignored); a gateway of the
// client-control issue reads them. The zero value sends neither.
type SubscribeOptions struct {
	// MaxRate asks for at most this many updates per second per subject,
	// sent as "max_rate". Needs a server with per-subscription rate limits.
	MaxRate float64
	// Delta asks for field deltas on the wire, sent as "delta": true. The
	// client merges each delta onto the last full update it holds of the
	// subject and hands OnUpdate the merged full update (Update.Delta tells
	// it came as one); a delta that does not follow (seq != last seq + 1,
	// or no full update held) is never merged: it is reported as a Resync
	// event with a *DeltaError, the client drops its copy of the subject and
	// subscribes the matching patterns again to get a snapshot. A server
	// without deltas ignores the key and sends whole updates.
	Delta bool
}

// keys adds the options' keys to a sub op.
func (o SubscribeOptions) keys(op map[string]any) {
	if o.MaxRate > 0 {
		op[protocol.KeyMaxRate] = o.MaxRate
	}
	if o.Delta {
		op[protocol.KeyDelta] = true
	}
}

// resubOpBytes bounds the pattern text of one sub op when everything is
// resubscribed, as ticker.js does.
const resubOpBytes = 16 << 10

// record is one Subscribe call: its patterns, held across reconnects.
type record struct {
	patterns []string
	opts     SubscribeOptions
	live     bool // acknowledged on the current connection
}

// The kinds of op a reply may answer.
const (
	pendingSub = iota
	pendingUnsub
	pendingBarrier   // the ping after a sub: its pong follows the sub's snapshots
	pendingKeepalive // the ping on a quiet connection
	pendingAuth      // an auth op with a fresh token
)

type pending struct {
	kind    int
	records []*record // sub: the records it subscribes
	resub   bool      // sub: sent on a new connection for everything held
	token   string    // auth: the token sent
}

// outOp is an op to send; the registry has noted its id already.
type outOp struct {
	id       int64
	name     string
	subjects []string
	opts     SubscribeOptions
	token    string // auth
}

func (o outOp) encode() map[string]any {
	m := op(o.name, o.id, o.subjects)
	switch o.name {
	case protocol.OpSub:
		o.opts.keys(m)
	case protocol.OpAuth:
		m[protocol.KeyToken] = o.token
	}
	return m
}

// registry is what the client holds: the records, and the ops in flight on
// the current connection. It knows nothing of sockets; the client sends the
// ops it returns. Not safe for concurrent use: the client's mutex guards it.
type registry struct {
	records   []*record
	inflight  map[int64]pending
	nextID    int64
	announced bool // Subscribed was reported for the current state
}

func newRegistry() *registry { return &registry{inflight: map[int64]pending{}} }

func (r *registry) id() int64 {
	r.nextID++
	if r.nextID == math.MaxInt64 {
		r.nextID = 1
	}
	return r.nextID
}

// add makes a record; the caller sends subOps([rec]) when connected.
func (r *registry) add(patterns []string, opts SubscribeOptions) *record {
	rec := &record{patterns: slices.Compact(slices.Sorted(slices.Values(patterns))), opts: opts}
	r.records = append(r.records, rec)
	r.announced = false
	return rec
}

// subOps returns the sub ops for recs, each followed by its barrier ping:
// records with the same options share an op of at most resubOpBytes of
// patterns.
func (r *registry) subOps(recs []*record, resub bool) []outOp {
	var ops []outOp
	for len(recs) > 0 {
		batch, bytes := recs[:1], patternBytes(recs[0])
		for _, rec := range recs[1:] {
			if rec.opts != batch[0].opts || bytes+patternBytes(rec) > resubOpBytes {
				break
			}
			batch = recs[:len(batch)+1]
			bytes += patternBytes(rec)
		}
		recs = recs[len(batch):]
		var subjects []string
		for _, rec := range batch {
			subjects = append(subjects, rec.patterns...)
		}
		id := r.id()
		r.inflight[id] = pending{kind: pendingSub, records: slices.Clone(batch), resub: resub}
		ping := r.id()
		r.inflight[ping] = pending{kind: pendingBarrier}
		ops = append(ops,
			outOp{id: id, name: protocol.OpSub, subjects: slices.Compact(slices.Sorted(slices.Values(subjects))), opts: batch[0].opts},
			outOp{id: ping, name: protocol.OpPing})
	}
	r.announced = false
	return ops
}

func patternBytes(rec *record) int {
	n := 0
	for _, p := range rec.patterns {
		n += len(p) + 3
	}
	return n
}

// resubscribeAll returns the ops that subscribe everything held on a new
// connection.
func (r *registry) resubscribeAll() []outOp { return r.subOps(r.records, true) }

// keepalive notes a ping on a quiet connection and returns it.
func (r *registry) keepalive() outOp {
	id := r.id()
	r.inflight[id] = pending{kind: pendingKeepalive}
	return outOp{id: id, name: protocol.OpPing}
}

// remove drops patterns from every record (a record left with none ends)
// and returns the unsub op for those no record holds any more, if any.
func (r *registry) remove(patterns []string) (outOp, bool) {
	before := r.held()
	r.records = slices.DeleteFunc(r.records, func(rec *record) bool {
		rec.patterns = slices.DeleteFunc(rec.patterns, func(p string) bool { return slices.Contains(patterns, p) })
		return len(rec.patterns) == 0
	})
	after := r.held()
	gone := slices.DeleteFunc(before, func(p string) bool { return slices.Contains(after, p) })
	if len(gone) == 0 {
		return outOp{}, false
	}
	id := r.id()
	r.inflight[id] = pending{kind: pendingUnsub}
	return outOp{id: id, name: protocol.OpUnsub, subjects: gone}, true
}

// held returns every pattern held, sorted, once each.
func (r *registry) held() []string {
	var all []string
	for _, rec := range r.records {
		all = append(all, rec.patterns...)
	}
	return slices.Compact(slices.Sorted(slices.Values(all)))
}

// holds tells whether some held pattern matches subject.
func (r *registry) holds(subject string) bool {
	for _, rec := range r.records {
		for _, p := range rec.patterns {
			if matches(p, subject) {
				return true
			}
		}
	}
	return false
}

// acked handles an ack: the records of that sub are live. It returns what
// the ack answered.
func (r *registry) acked(id int64) (pending, bool) {
	p, ok := r.inflight[id]
	if !ok {
		return p, false
	}
	delete(r.inflight, id)
	for _, rec := range p.records {
		rec.live = true
	}
	return p, true
}

// auth notes an auth op with token and returns it.
func (r *registry) auth(token string) outOp {
	id := r.id()
	r.inflight[id] = pending{kind: pendingAuth, token: token}
	return outOp{id: id, name: protocol.OpAuth, token: token}
}

// authRefused handles an error reply: true when it answers an auth op,
// which is forgotten.
func (r *registry) authRefused(id int64) bool {
	p, ok := r.inflight[id]
	if !ok || p.kind != pendingAuth {
		return false
	}
	delete(r.inflight, id)
	return true
}

// holdsDelta tells whether some held pattern matches subject, and whether
// one of those asked for deltas.
func (r *registry) holdsDelta(subject string) (held, delta bool) {
	for _, rec := range r.records {
		for _, p := range rec.patterns {
			if matches(p, subject) {
				held = true
				delta = delta || rec.opts.Delta
			}
		}
	}
	return held, delta
}

// matching returns the records with a pattern that matches subject.
func (r *registry) matching(subject string) []*record {
	var out []*record
	for _, rec := range r.records {
		if anyMatches(rec.patterns, subject) {
			out = append(out, rec)
		}
	}
	return out
}

// revoke drops patterns the server removed: like remove, without an unsub.
func (r *registry) revoke(patterns []string) {
	if op, ok := r.remove(patterns); ok {
		delete(r.inflight, op.id)
	}
}

// ponged handles a pong, or an error answering a ping.
func (r *registry) ponged(id int64) { delete(r.inflight, id) }

// refusal is what an error reply to a sub asks of the client.
type refusal struct {
	refused []*record // dropped, to report
	retry   []*record // rate_limited: send again after a while
	split   []outOp   // a refused resubscribe of several records: one op each, to find the culprit
}

// refused handles an error reply to op id with code.
func (r *registry) refused(id int64, code string) refusal {
	p, ok := r.inflight[id]
	if !ok {
		return refusal{}
	}
	delete(r.inflight, id)
	if p.kind == pendingBarrier || p.kind == pendingKeepalive {
		return refusal{} // a ping refused (rate_limited) proves the same as a pong
	}
	if p.kind != pendingSub {
		return refusal{}
	}
	alive := slices.DeleteFunc(slices.Clone(p.records), func(rec *record) bool { return !slices.Contains(r.records, rec) })
	switch {
	case code == CodeRateLimited:
		return refusal{retry: alive}
	case p.resub && len(alive) > 1:
		var ops []outOp
		for _, rec := range alive {
			ops = append(ops, r.subOps([]*record{rec}, true)...)
		}
		return refusal{split: ops}
	}
	r.records = slices.DeleteFunc(r.records, func(rec *record) bool { return slices.Contains(alive, rec) })
	return refusal{refused: alive}
}

// subscribed tells whether Subscribed should be reported now: every record
// is live, no sub or barrier is in flight, and it was not reported yet.
func (r *registry) subscribed() bool {
	if r.announced || len(r.records) == 0 {
		return false
	}
	for _, rec := range r.records {
		if !rec.live {
			return false
		}
	}
	for _, p := range r.inflight {
		if p.kind == pendingSub || p.kind == pendingBarrier {
			return false
		}
	}
	r.announced = true
	return true
}

// disconnected forgets the ops in flight: they died with the connection.
func (r *registry) disconnected() {
	clear(r.inflight)
	for _, rec := range r.records {
		rec.live = false
	}
	r.announced = false
}

// idOf reads the id the server echoed: this client sends integers, which
// come back as float64 from JSON and as any integer type from msgpack.
func idOf(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), n == math.Trunc(n)
	case int64:
		return n, true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}
