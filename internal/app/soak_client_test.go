package app

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

// soakSubjects are the subjects the soak publishes: 20 quotes, 5 games.
func soakSubjects() []string {
	var s []string
	for i := range 20 {
		s = append(s, fmt.Sprintf("quotes.S%02d", i))
	}
	for i := range 5 {
		s = append(s, fmt.Sprintf("scores.nba.g%d", i))
	}
	return s
}

// soakPatterns are what churning clients pick from: every subject, and
// wildcards that overlap them.
func soakPatterns() []string {
	return append(soakSubjects(), "quotes.>", "quotes.*", "scores.>", "scores.nba.*", "scores.*.g0")
}

// churner is a healthy client of the soak: one op at a time, chosen by its
// own seeded RNG, with a short random pause between ops.
type churner struct {
	w        *watcher
	rng      *rand.Rand
	patterns []string
	ops      map[string]int // by kind
}

// run churns until stop is closed and returns the first op that failed.
func (c *churner) run(stop <-chan struct{}) error {
	c.ops = map[string]int{}
	for n := 1; ; n++ {
		pause := time.NewTimer(time.Duration(20+c.rng.IntN(180)) * time.Millisecond)
		select {
		case <-stop:
			pause.Stop()
			return nil
		case <-pause.C:
		}
		o := c.next(n)
		if err := c.w.do(o); err != nil {
			return err
		}
		c.ops[o.kind]++
	}
}

// next picks op n: a sub of one to three patterns, an unsub of one or two
// held patterns (or of one not held: that is acknowledged too), or a ping.
func (c *churner) next(n int) op {
	id := fmt.Sprint(n)
	switch r := c.rng.IntN(10); {
	case r < 4:
		o := op{kind: "sub", id: id}
		for range 1 + c.rng.IntN(3) {
			o.patterns = append(o.patterns, c.patterns[c.rng.IntN(len(c.patterns))])
		}
		return o
	case r < 7:
		held := c.w.heldPatterns()
		o := op{kind: "unsub", id: id}
		for range 1 + c.rng.IntN(2) {
			if len(held) == 0 || c.rng.IntN(8) == 0 {
				o.patterns = append(o.patterns, c.patterns[c.rng.IntN(len(c.patterns))])
			} else {
				o.patterns = append(o.patterns, held[c.rng.IntN(len(held))])
			}
		}
		return o
	}
	return op{kind: "ping", id: id}
}

// heldPatterns lists the acknowledged patterns, sorted.
func (w *watcher) heldPatterns() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for p := range w.held {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// firstResumed is when the first update published after the mark arrived,
// on any subject; zero if none yet.
func (w *watcher) firstResumed() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	var first time.Time
	for _, at := range w.resumed {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first
}

// stall opens a client that subscribes and then never reads: the gateway
// has to close it as a slow consumer. Besides the soak's subjects it holds
// bulk.>, large updates that fill its socket buffers in seconds.
func stall(t *testing.T, a *App, k codec.Kind) {
	t.Helper()
	c := dial(t, a, k)
	if err := c.Sub(testCtx(t), 1, "quotes.>", "scores.>", "bulk.>"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
}
