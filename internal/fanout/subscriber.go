package fanout

import (
	"context"
	"slices"
	"sync"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Subscriber is one client connection's place in the hub: the patterns it
// holds, and the outbox of what waits to be written to it. Subscribe,
// Unsubscribe, Send and Close are meant for the connection's own read loop,
// one call at a time; the hub delivers updates concurrently.
type Subscriber struct {
	hub  *Hub
	id   uint64 // orders subs in match results
	kind codec.Kind
	t    Transport
	out  outbox // closed once the connection is closing, for any reason

	mu   sync.Mutex      // guards the patterns, the snapshot notes and out
	subs map[string]*sub // the patterns held
	// The snapshots queued by the last Subscribes. An update matched before
	// a Subscribe took its snapshot may still be on its way to this
	// subscriber; deliver drops it if a snapshot carried it already (see
	// snapshotted). nil once the hub has pushed every update they cover.
	snaps []snapNote
	// What rated and delta subscriptions need per subject (control.go);
	// nil until the first such subscription.
	states map[string]*subjectState
}

// NewSubscriber attaches a connection that speaks encoding k over t.
func (h *Hub) NewSubscriber(t Transport, k codec.Kind) *Subscriber {
	s := &Subscriber{hub: h, id: h.nextID.Add(1), kind: k, t: t, subs: make(map[string]*sub)}
	s.out.cfg, s.out.kind = &h.outboxes, k
	return s
}

// Holds reports whether the subscriber holds pattern.
func (s *Subscriber) Holds(pattern string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.subs[pattern]
	return ok
}

// Count returns the number of patterns the subscriber holds.
func (s *Subscriber) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// Subscribe adds patterns, which the caller has validated and allowed. Once
// the bus delivers them it queues, in this order, the ack for id, the last
// value of every matching subject marked as a snapshot, and then live
// updates, as opts ask. Patterns already held are acknowledged and replayed
// again, and take opts from then on.
func (s *Subscriber) Subscribe(ctx context.Context, id codec.ID, patterns []string, opts SubOptions) error {
	patterns = unique(patterns)
	var fresh []string
	s.mu.Lock()
	for _, p := range patterns {
		if s.subs[p] == nil {
			fresh = append(fresh, p)
		}
	}
	s.mu.Unlock()
	h := s.hub
	if err := h.acquire(ctx, fresh); err != nil {
		return err
	}

	// The new subs go into the index inactive, and with no lock held that a
	// broadcast waits for: adding a wildcard's sub touches every cached
	// subject it matches. deliver skips them until they are active, and
	// whatever it skips was kept before the snapshot below, which carries it.
	select {
	case h.joins <- struct{}{}:
	case <-ctx.Done():
		h.release(fresh)
		return ctx.Err()
	}
	defer func() { <-h.joins }()
	s.mu.Lock()
	if s.out.isClosed() {
		s.mu.Unlock()
		h.release(fresh)
		return ErrClosed
	}
	added := make([]*sub, len(fresh))
	for i, p := range fresh {
		added[i] = &sub{s: s, pattern: p}
		s.subs[p] = added[i] // from here on Close releases it
	}
	h.metrics.subscriptions.Add(float64(len(fresh))) // and counts it gone
	s.mu.Unlock()
	for _, x := range added {
		h.index.add(x) // after a Close, a no-op
	}

	// An update matched from here on waits for s.mu, so it is queued after
	// the snapshot; the note makes deliver drop one kept before the
	// snapshot, which carried it.
	s.mu.Lock()
	if s.out.isClosed() {
		s.mu.Unlock()
		return ErrClosed
	}
	interval := intervalOf(opts.MaxRate)
	for _, p := range patterns {
		x := s.subs[p]
		x.active, x.interval, x.delta = true, interval, opts.Delta
	}
	r := s.out.push(item{frame: codec.AppendSubAck(s.kind, nil, id, opts.MaxRate)})
	now := h.clock.Now()
	h.lastMu.RLock()
	for _, m := range h.snapshot(patterns) {
		p := s.out.push(item{frame: m.snapshotFrame(s.kind), m: m})
		if p&pushQueued != 0 {
			s.noteQueued(m, opts, now)
		}
		r |= p
	}
	s.noteSnapshot(patterns, h.kept)
	h.lastMu.RUnlock()
	s.mu.Unlock()
	s.after(r)
	return nil
}

// Unsubscribe removes patterns and queues the ack for id. No update of a
// removed pattern is queued after the ack. Patterns not held are ignored.
func (s *Subscriber) Unsubscribe(id codec.ID, patterns []string) {
	s.mu.Lock()
	gone := s.drop(patterns)
	r := s.out.push(item{frame: codec.AppendAck(s.kind, nil, id)})
	s.mu.Unlock()
	s.after(r)
	s.hub.metrics.subscriptions.Sub(float64(len(gone)))
	s.hub.release(gone)
}

// Send queues a reply built by the caller (a pong or an error) in order with
// everything else queued for the connection.
func (s *Subscriber) Send(frame []byte) {
	s.mu.Lock()
	r := s.out.push(item{frame: frame})
	s.mu.Unlock()
	s.after(r)
}

// Close detaches the subscriber: it drops its patterns and closes its
// outbox. The caller closes the connection itself. Close is idempotent.
func (s *Subscriber) Close() {
	s.mu.Lock()
	gone := make([]string, 0, len(s.subs))
	for p, x := range s.subs {
		x.active = false
		s.hub.index.remove(x)
		gone = append(gone, p)
	}
	clear(s.subs)
	s.dropHeld()
	// Under mu, so that a Subscribe either sees the outbox closed or has
	// added its patterns before they are dropped here.
	s.out.close()
	s.mu.Unlock()
	s.hub.metrics.subscriptions.Sub(float64(len(gone)))
	s.hub.release(gone)
}

// drop removes the patterns held among patterns and returns them; the
// caller holds mu, and after it gives up the references (see release).
func (s *Subscriber) drop(patterns []string) []string {
	var gone []string
	for _, p := range unique(patterns) {
		if x := s.subs[p]; x != nil {
			x.active = false
			delete(s.subs, p)
			s.hub.index.remove(x)
			gone = append(gone, p)
		}
	}
	return gone
}

// deliver queues the live update m, which matched subs (all of them the
// subscriber's), unless none of them is active any more or a snapshot
// already carried m. It reports whether it queued m. Only the hub goroutine
// calls it.
func (s *Subscriber) deliver(m *message, subs []*sub) bool {
	var r pushed
	s.mu.Lock()
	if anyActive(subs) && !s.snapshotted(m) {
		if interval, delta := control(subs); interval > 0 || delta {
			r = s.deliverControlled(m, interval, delta)
		} else {
			r = s.out.push(item{frame: m.liveFrame(s.kind), m: m, live: true})
			if s.states != nil && r&pushQueued != 0 {
				s.noteSeq(m)
			}
		}
	}
	s.mu.Unlock()
	s.after(r)
	return r&pushQueued != 0
}

// anyMatch reports whether any of patterns matches subject.
func anyMatch(patterns []string, subject string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return subscribe.Match(p, subject) })
}

func anyActive(subs []*sub) bool {
	for _, x := range subs {
		if x.active {
			return true
		}
	}
	return false
}

// after does what the pushes to the outbox asked for. The caller holds no
// lock.
func (s *Subscriber) after(r pushed) {
	if r&pushReady != 0 {
		s.hub.writers.schedule(s)
	}
	if r&pushOver != 0 {
		s.hub.slow.add(s)
	}
	if r&pushGaveUp != 0 {
		s.slowConsumer()
	}
}

// slowConsumer closes the connection, whose outbox has given up, as a slow
// consumer.
func (s *Subscriber) slowConsumer() {
	s.hub.metrics.slowConsumers.Inc()
	s.t.Close(closecode.PolicyViolation, "slow consumer")
}

// snapNote is one Subscribe's snapshot: it carried the last value, as of
// the update the hub kept as order, of every subject patterns match.
type snapNote struct {
	order    uint64
	patterns []string
}

// noteSnapshot remembers that a snapshot of patterns was queued as of the
// update the hub kept as order, unless the hub has pushed that far already
// and no update it covers can be on its way. The caller holds mu and
// lastMu.
func (s *Subscriber) noteSnapshot(patterns []string, order uint64) {
	if s.hub.pushed.Load() < order {
		s.snaps = append(s.snaps, snapNote{order: order, patterns: patterns})
	}
}

// snapshotted reports whether a snapshot already queued carried m (or a
// newer update of its subject): m was kept before the snapshot was taken,
// and the snapshot's patterns match its subject. The caller holds mu.
func (s *Subscriber) snapshotted(m *message) bool {
	if s.snaps == nil {
		return false
	}
	if s.hub.pushed.Load() >= s.snaps[len(s.snaps)-1].order {
		s.snaps = nil // every update the snapshots could overlap has passed
		return false
	}
	for _, n := range s.snaps {
		if m.order <= n.order && anyMatch(n.patterns, m.subject) {
			return true
		}
	}
	return false
}

// unique returns patterns without repeats, keeping the first of each.
func unique(patterns []string) []string {
	out := make([]string, 0, len(patterns))
	for _, p := range patterns {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
