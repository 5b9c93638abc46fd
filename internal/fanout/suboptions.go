package fanout

// SubOptions are what a sub asks of the patterns it adds. The zero value
// asks for every update, whole.
type SubOptions struct {
	// MaxRate is the most updates per second of each subject the patterns
	// match; 0 means no limit. The caller has applied the server's caps.
	// A subject matched by several of a subscriber's patterns gets the
	// highest rate among them. Within a burst the newest update wins, and
	// the last update of a burst is queued at most 1/MaxRate after the one
	// before it.
	MaxRate float64
	// Delta asks for field deltas: a live update whose subject's previous
	// update this subscriber was queued (seq-1) goes as a "delta" message
	// holding only the fields that changed. Anything else goes whole.
	Delta bool
}

// Patterns returns the patterns the subscriber holds, in no order.
func (s *Subscriber) Patterns() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.subs))
	for p := range s.subs {
		out = append(out, p)
	}
	return out
}

// Revoke removes patterns without an ack and returns those it held, in the
// order given; no update of them is queued after it returns, so a frame the
// caller Sends next comes after the last one. Patterns not held are ignored.
func (s *Subscriber) Revoke(patterns []string) []string {
	s.mu.Lock()
	gone := s.drop(patterns)
	s.mu.Unlock()
	s.hub.metrics.subscriptions.Sub(float64(len(gone)))
	s.hub.release(gone)
	return gone
}
