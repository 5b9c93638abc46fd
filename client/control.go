package client

import (
	"time"
)

// deliver queues the update of msg m for OnUpdate, merging a delta onto the
// subject's last full data first (delta: a delta subscription holds the
// subject).
func (s *session) deliver(m Message, delta bool, now time.Time) {
	c := s.c
	if !delta && !m.Delta {
		c.mb.putUpdate(newUpdate(m, s.url, now))
		return
	}
	merged, drop, err := s.deltas.apply(m, delta)
	if drop {
		c.stats.deltaDropped.Add(1)
		return
	}
	if err != nil {
		s.resync(m.Subject, err)
		return
	}
	u := newUpdate(merged, s.url, now)
	u.Delta = m.Delta
	c.mb.putUpdate(u)
}

// resync reports a delta of subject that could not be applied, and
// subscribes the patterns that match it again for a snapshot; its deltas
// are dropped until the snapshot's barrier pong.
func (s *session) resync(subject string, err error) {
	c := s.c
	c.stats.deltaErrors.Add(1)
	c.mu.Lock()
	var ops []outOp
	if recs := c.reg.matching(subject); len(recs) > 0 && c.cur == s {
		ops = c.reg.subOps(recs, false)
	}
	c.mu.Unlock()
	if len(ops) > 0 {
		s.deltas.resyncing(subject, ops[len(ops)-1].id)
	}
	c.emit(Event{State: Resync, URL: s.url, Attempt: s.attempt, Codec: s.conn.Codec(), Subject: subject, Err: err})
	s.send(ops)
}

// revoked handles a revoked message: its patterns are no longer held, here
// or after a reconnect.
func (s *session) revoked(m Message) {
	c := s.c
	if len(m.Subjects) == 0 {
		return
	}
	c.mu.Lock()
	c.reg.revoke(m.Subjects)
	held := c.reg.held()
	c.mu.Unlock()
	keep := func(subject string) bool { return anyMatches(held, subject) }
	c.mb.forget(keep)
	s.deltas.forget(keep)
	code := m.Code
	if code == "" {
		code = CodeForbidden
	}
	c.emit(Event{State: Revoked, URL: s.url, Attempt: s.attempt, Codec: s.conn.Codec(), Patterns: m.Subjects,
		Err: &ServerError{Code: code, Msg: m.Msg, Patterns: m.Subjects}})
}
