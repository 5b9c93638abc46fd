package fanout

import "github.com/jonboulle/clockwork"

// Accessors for the tests of this package only.

// waiting returns the number of items waiting in the subscriber's outbox,
// not counting those a writer has taken.
func (s *Subscriber) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.waiting()
}

// waiting returns the number of items waiting, not counting those a writer
// has taken.
func (o *outbox) waiting() int {
	return len(o.pending) - o.head
}

// idle reports whether no writer has the subscriber's outbox.
func (s *Subscriber) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.out.writing
}

// clockOf returns the core's clock reading c.
func clockOf(c clockwork.Clock) clock { return clock{c} }
