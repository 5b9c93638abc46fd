package report

// Moves are the subscribed connections that a server closed with 1001
// (going away: a drain) or 1013 (try again later) and that dialed another
// URL: how many, and how long until they were all subscribed again.
type Moves struct {
	GoingAway     uint64 `json:"going_away"`      // closes with 1001
	TryAgainLater uint64 `json:"try_again_later"` // closes with 1013 after subscribing
	Resubscribed  uint64 `json:"resubscribed"`    // subscriptions acknowledged again elsewhere
	// FirstClose is when the first of those closes came, LastResubscribe
	// when the last moved connection was subscribed again (Unix ns; 0: none
	// was); SpanMs is the time between them: from the first 1001 until
	// every moved client was back.
	FirstClose      int64   `json:"first_close_unix_ns"`
	LastResubscribe int64   `json:"last_resubscribe_unix_ns"`
	SpanMs          float64 `json:"span_ms"`
	// MaxGapMs is the longest any one connection took from its close to
	// its new subscription's ack.
	MaxGapMs float64 `json:"max_gap_ms"`
	// Before is the latency of every delivery before the first of those
	// closes; Stayed that of the connections that never moved, while some
	// moved connection was not back yet: what a drain costs the clients
	// it does not move. Nil when there was no such delivery.
	Before *Window `json:"before,omitempty"`
	Stayed *Window `json:"stayed,omitempty"`
}

// Derive computes SpanMs.
func (m *Moves) Derive() {
	m.SpanMs = 0
	if m.LastResubscribe > m.FirstClose && m.FirstClose > 0 {
		m.SpanMs = float64(m.LastResubscribe-m.FirstClose) / 1e6
	}
}

// merge adds o (another process's moves, on the same clock) to m.
func (m *Moves) merge(o *Moves) (*Moves, error) {
	switch {
	case o == nil:
		return m, nil
	case m == nil:
		c := *o
		c.Derive()
		return &c, nil
	}
	out := *m
	out.GoingAway += o.GoingAway
	out.TryAgainLater += o.TryAgainLater
	out.Resubscribed += o.Resubscribed
	if o.FirstClose > 0 && (out.FirstClose == 0 || o.FirstClose < out.FirstClose) {
		out.FirstClose = o.FirstClose
	}
	out.LastResubscribe = max(out.LastResubscribe, o.LastResubscribe)
	out.MaxGapMs = max(out.MaxGapMs, o.MaxGapMs)
	var err error
	if out.Before, err = mergeWindows(m.Before, o.Before); err != nil {
		return nil, err
	}
	if out.Stayed, err = mergeWindows(m.Stayed, o.Stayed); err != nil {
		return nil, err
	}
	out.Derive()
	return &out, nil
}
