package fanout

import (
	"math"
	"time"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Client control: a subscription's max rate and field deltas (SubOptions).
// What they need is kept per subscriber and subject, in a subjectState
// made once per subject and reused, so that a delivery allocates nothing.

// subjectState is what a subscriber's rated or delta subscriptions need of
// one subject. Guarded by the Subscriber's mu.
type subjectState struct {
	s       *Subscriber
	subject string
	sent    time.Time // when an update of it was last queued; zero if never
	seq     uint64    // the seq of the update last queued; 0 if none
	// held is the newest update a max rate holds back, nil if none: its
	// whole live frame, its delta frame (nil if it cannot go as one) and
	// whether the subscriber wants deltas.
	held      *message
	heldWhole []byte
	heldDelta []byte
	queued    bool // in the pacer
}

// intervalOf is the time between two updates of a subject at rate per
// second; 0 for no limit.
func intervalOf(rate float64) time.Duration {
	if rate <= 0 || math.IsNaN(rate) {
		return 0
	}
	return time.Duration(float64(time.Second) / rate)
}

// control returns what the subscriber's active subs among subs ask of a
// subject: the shortest interval (0 if any is unlimited) and whether any
// asked for deltas.
func control(subs []*sub) (interval time.Duration, delta bool) {
	limited := true
	for _, x := range subs {
		if !x.active {
			continue
		}
		delta = delta || x.delta
		switch {
		case x.interval == 0:
			limited = false
		case interval == 0 || x.interval < interval:
			interval = x.interval
		}
	}
	if !limited {
		interval = 0
	}
	return interval, delta
}

// state returns the subscriber's state of subject, making it if needed. The
// caller holds mu.
func (s *Subscriber) state(subject string) *subjectState {
	st := s.states[subject]
	if st == nil {
		if s.states == nil {
			s.states = make(map[string]*subjectState)
		}
		st = &subjectState{s: s, subject: subject}
		s.states[subject] = st
	}
	return st
}

// deliverControlled queues m, or holds it back for a max rate, for a
// subscriber whose subs of m's subject ask for a rate or deltas. The hub
// goroutine calls it, holding mu.
func (s *Subscriber) deliverControlled(m *message, interval time.Duration, delta bool) pushed {
	st := s.state(m.subject)
	whole := m.liveFrame(s.kind)
	var dframe []byte
	if delta {
		dframe = m.deltaFrame(s.kind)
	}
	if interval > 0 {
		now := s.hub.clock.Now()
		if !st.sent.IsZero() && now.Sub(st.sent) < interval {
			if st.held != nil {
				st.held.release()
				s.hub.metrics.rateSkipped.Inc()
			}
			m.retain()
			st.held, st.heldWhole, st.heldDelta = m, whole, dframe
			if !st.queued {
				st.queued = true
				s.hub.pacer.add(st, st.sent.Add(interval))
			}
			return 0
		}
		st.sent = now
	}
	st.supersede(m)
	return s.pushUpdate(st, m, whole, dframe)
}

// supersede drops the update st holds back when m, about to be queued at
// once, is newer: the pacer may be about to flush it, and it must not follow
// m. The caller holds the subscriber's mu.
func (st *subjectState) supersede(m *message) {
	if st.held != nil && m.header.NewerThan(st.held.header) {
		st.held.release()
		st.held, st.heldWhole, st.heldDelta = nil, nil, nil
		st.s.hub.metrics.rateSkipped.Inc()
	}
}

// pushUpdate queues m as a delta when dframe is set and m follows the update
// last queued of its subject, else whole. The caller holds mu.
func (s *Subscriber) pushUpdate(st *subjectState, m *message, whole, dframe []byte) pushed {
	it := item{frame: whole, m: m, live: true}
	if dframe != nil && st.seq != 0 && st.seq+1 == m.header.Seq {
		it.frame, it.delta = dframe, true
	}
	r := s.out.push(it)
	if r&pushQueued != 0 {
		st.seq = m.header.Seq
	}
	return r
}

// flush queues the update st holds back, now due, if the subscriber still
// holds a pattern of its subject. The pacer calls it, holding no lock.
func (s *Subscriber) flush(st *subjectState, now time.Time) {
	var r pushed
	s.mu.Lock()
	st.queued = false
	if m := st.held; m != nil {
		if !s.out.isClosed() && s.matches(st.subject) {
			st.sent = now
			r = s.pushUpdate(st, m, st.heldWhole, st.heldDelta)
		}
		m.release()
		st.held, st.heldWhole, st.heldDelta = nil, nil, nil
	}
	s.mu.Unlock()
	s.after(r)
}

// matches reports whether a pattern the subscriber holds matches subject.
// The caller holds mu.
func (s *Subscriber) matches(subject string) bool {
	for p := range s.subs {
		if subscribe.Match(p, subject) {
			return true
		}
	}
	return false
}

// noteQueued records a snapshot queued for subscriptions with opts: it is
// the subject's last send, and a held update older than it is dropped. The
// caller holds mu.
func (s *Subscriber) noteQueued(m *message, opts SubOptions, now time.Time) {
	if opts.MaxRate <= 0 && !opts.Delta && s.states[m.subject] == nil {
		return
	}
	st := s.state(m.subject)
	st.seq = m.header.Seq
	st.sent = now
	if st.held != nil && !st.held.header.NewerThan(m.header) {
		st.held.release()
		st.held, st.heldWhole, st.heldDelta = nil, nil, nil
	}
}

// noteSeq keeps the seq of a subject's last queued update current when it
// went through the plain path. The caller holds mu.
func (s *Subscriber) noteSeq(m *message) {
	if st := s.states[m.subject]; st != nil {
		st.seq = m.header.Seq
		st.supersede(m)
	}
}

// dropHeld releases every update held back. The caller holds mu.
func (s *Subscriber) dropHeld() {
	for _, st := range s.states {
		if st.held != nil {
			st.held.release()
			st.held, st.heldWhole, st.heldDelta = nil, nil, nil
		}
	}
}

// CapRate lowers the max rate of every pattern held to at most rate, and
// limits the unlimited ones to it; 0 changes nothing.
func (s *Subscriber) CapRate(rate float64) {
	limit := intervalOf(rate)
	if limit == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.subs {
		if x.interval < limit {
			x.interval = limit
		}
	}
}
