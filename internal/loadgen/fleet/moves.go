package fleet

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// moves accounts the subscribed connections the servers closed with 1001
// or 1013 and that moved to another URL: how many, when the first close
// came, when the last of them was subscribed again, and the longest any one
// of them took from its close to its new ack.
type moves struct {
	mu            sync.Mutex
	goingAway     uint64
	tryAgainLater uint64
	first, last   time.Time
	maxGap        time.Duration

	// Read on every delivery, for its window.
	started atomic.Bool  // a subscribed connection was closed
	pending atomic.Int64 // closed connections neither back nor given up
}

// window is the window of a latency measured now on a connection that
// moved (or not).
func (m *moves) window(moved bool) window {
	switch {
	case !m.started.Load():
		return beforeMoves
	case !moved && m.pending.Load() > 0:
		return whileMoving
	}
	return otherWindows
}

// gaveUp counts a closed connection that will not be back.
func (m *moves) gaveUp() { m.pending.Add(-1) }

// gone counts a close with code at t.
func (m *moves) gone(code int, t time.Time) {
	m.pending.Add(1)
	m.started.Store(true)
	m.mu.Lock()
	defer m.mu.Unlock()
	if code == int(websocket.StatusGoingAway) {
		m.goingAway++
	} else {
		m.tryAgainLater++
	}
	if m.first.IsZero() || t.Before(m.first) {
		m.first = t
	}
}

// back counts a connection closed at goneAt subscribed again at t.
func (m *moves) back(goneAt, t time.Time) {
	m.pending.Add(-1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.After(m.last) {
		m.last = t
	}
	m.maxGap = max(m.maxGap, t.Sub(goneAt))
}

// report is what the moves were, with the latency windows of lat; nil
// when there were none.
func (m *moves) report(resubscribed uint64, lat *latencies) *report.Moves {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.first.IsZero() {
		return nil
	}
	r := &report.Moves{GoingAway: m.goingAway, TryAgainLater: m.tryAgainLater, Resubscribed: resubscribed,
		FirstClose: m.first.UnixNano(), MaxGapMs: float64(m.maxGap) / 1e6}
	if !m.last.IsZero() {
		r.LastResubscribe = m.last.UnixNano()
	}
	r.Before, r.Stayed = report.NewWindow(lat.window(beforeMoves)), report.NewWindow(lat.window(whileMoving))
	r.Derive()
	return r
}
