package fanout

import (
	"time"

	"github.com/jonboulle/clockwork"
)

// clock is where the core reads time: Options.Clock, or the time package
// itself when that is nil. Every write reads it for the stuck-writer
// monitor's mark, and a write with a sampled live update (see latencyEvery)
// once more for its latency, so the real clock is a direct call to
// time.Now, not one through the clockwork.Clock interface.
type clock struct {
	c clockwork.Clock // nil: the real clock
}

// Now returns the current time.
func (c clock) Now() time.Time {
	if c.c == nil {
		return time.Now()
	}
	return c.c.Now()
}

// NewTicker returns a ticker of period d.
func (c clock) NewTicker(d time.Duration) clockwork.Ticker {
	if c.c == nil {
		return realClock.NewTicker(d)
	}
	return c.c.NewTicker(d)
}

var realClock = clockwork.NewRealClock()

// NewTimer returns a timer that fires after d.
func (c clock) NewTimer(d time.Duration) clockwork.Timer {
	if c.c == nil {
		return realClock.NewTimer(d)
	}
	return c.c.NewTimer(d)
}
