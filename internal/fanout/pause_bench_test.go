package fanout

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
)

// The hub's longest pause while many subscribers of one pattern leave or
// join at once: an observer holds quotes.OBS, published through the hub
// every millisecond, and its transport records the longest gap between two
// of its frames, reported as max-pause-ms (1 ms is no pause at all).

// gapRecorder is a transport that keeps the longest gap between two writes.
type gapRecorder struct {
	mu    sync.Mutex
	last  time.Time
	worst time.Duration
}

func (g *gapRecorder) Write([]byte) error {
	now := time.Now()
	g.mu.Lock()
	if !g.last.IsZero() {
		g.worst = max(g.worst, now.Sub(g.last))
	}
	g.last = now
	g.mu.Unlock()
	return nil
}

func (g *gapRecorder) Close(closecode.Code, string) {}

// observe subscribes an observer to quotes.OBS and publishes it every
// millisecond until the returned func is called, which returns the longest
// gap the observer saw.
func observe(b *testing.B, h *Hub) func() time.Duration {
	g := &gapRecorder{}
	obs := h.NewSubscriber(g, codec.JSON)
	if err := obs.Subscribe(b.Context(), codec.ID{}, []string{"quotes.OBS"}, SubOptions{}); err != nil {
		b.Fatal(err)
	}
	p := newFeedPayload(b)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for seq := uint64(1); ; seq++ {
			select {
			case <-stop:
				return
			case <-tick.C:
				h.Deliver("quotes.OBS", p.seq(seq))
			}
		}
	}()
	time.Sleep(20 * time.Millisecond) // the observer's first frames
	return func() time.Duration {
		close(stop)
		<-done
		h.settle(b.Context())
		obs.Close()
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.worst
	}
}

// hubWorst is the longest a broadcast took, from its start to its last
// push, as timeBroadcast records it: the part of a pause that is the hub's
// own, the rest of max-pause-ms being the scheduling of the observer's
// writer among everything else that runs.
var hubWorst atomic.Int64

func timeBroadcast(start time.Time) {
	d := int64(time.Since(start))
	for w := hubWorst.Load(); d > w && !hubWorst.CompareAndSwap(w, d); w = hubWorst.Load() {
	}
}

// BenchmarkPauseLeave: 20,000 subscribers of quotes.X close at once.
func BenchmarkPauseLeave(b *testing.B) {
	const n = 20000
	var worst time.Duration
	for range b.N {
		b.StopTimer()
		h, subs := hubWith(b, Options{}, n, discard{})
		steadyFeed(b, h)() // the result of quotes.X is cached
		stop := observe(b, h)
		b.StartTimer()
		for _, s := range subs {
			s.Close()
		}
		b.StopTimer()
		worst = max(worst, stop())
	}
	b.ReportMetric(float64(worst)/float64(time.Millisecond), "max-pause-ms")
}

// BenchmarkPauseJoin: subscribers join at once from 16 goroutines, as the
// read loops of a reconnect storm would, each getting its snapshots: 20,000
// of quotes.X (one snapshot each), or 1000 of quotes.> over 5000 subjects.
func BenchmarkPauseJoin(b *testing.B) {
	for _, tc := range []struct {
		name     string
		n        int
		pattern  string
		subjects int
	}{
		{"literal", 20000, "quotes.X", 1},
		{"wildcard", 1000, "quotes.>", 5000},
	} {
		b.Run(fmt.Sprintf("%s/subscribers=%d/subjects=%d", tc.name, tc.n, tc.subjects), func(b *testing.B) {
			p := newFeedPayload(b)
			hubWorst.Store(0)
			var worst time.Duration
			for range b.N {
				b.StopTimer()
				h := NewHub(Options{})
				h.took = timeBroadcast                           // before the first Deliver, which orders it
				holder := h.NewSubscriber(discard{}, codec.JSON) // keeps the subjects followed
				if err := holder.Subscribe(b.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
					b.Fatal(err)
				}
				for i := range tc.subjects {
					subject := "quotes.X"
					if i > 0 {
						subject = fmt.Sprintf("quotes.S%04d", i)
					}
					h.Deliver(subject, p.seq(1))
				}
				h.settle(b.Context())
				subs := make([]*Subscriber, tc.n)
				for i := range subs {
					subs[i] = h.NewSubscriber(discard{}, codec.Kind(i%2))
				}
				stop := observe(b, h)
				b.StartTimer()
				var next atomic.Int64
				var wg sync.WaitGroup
				for range 16 {
					wg.Go(func() {
						for i := next.Add(1) - 1; i < int64(len(subs)); i = next.Add(1) - 1 {
							if err := subs[i].Subscribe(b.Context(), codec.ID{}, []string{tc.pattern}, SubOptions{}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				worst = max(worst, stop())
				for _, s := range subs {
					s.Close()
				}
				holder.Close()
				h.Close()
			}
			b.ReportMetric(float64(worst)/float64(time.Millisecond), "max-pause-ms")
			b.ReportMetric(float64(hubWorst.Load())/float64(time.Millisecond), "hub-ms")
		})
	}
}
