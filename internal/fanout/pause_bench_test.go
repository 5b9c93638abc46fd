package fanout

import (
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

// BenchmarkPauseLeave measures the hub's longest pause while 20,000
// subscribers of quotes.X close at once: the bench goroutine publishes to
// quotes.X and to an observer's subject every millisecond and reports the
// longest gap between two of its deliveries as max-pause-ms (1 ms is no
// pause at all).
func BenchmarkPauseLeave(b *testing.B) {
	const n = 20000
	p := newFeedPayload(b)
	seq := uint64(1)
	var worst time.Duration
	for range b.N {
		b.StopTimer()
		h, subs := hubWith(b, Options{}, n, discard{})
		obs := h.NewSubscriber(discard{}, codec.Kind(0))
		if err := obs.Subscribe(b.Context(), codec.ID{}, []string{"quotes.Y"}, SubOptions{}); err != nil {
			b.Fatal(err)
		}
		publish := func(subject string) {
			seq++
			m, err := newMessage(subject, p.seq(seq))
			if err != nil {
				b.Fatal(err)
			}
			h.broadcast(m)
			m.release()
		}
		publish("quotes.X") // the result of quotes.X is cached
		b.StartTimer()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, s := range subs {
				s.Close()
			}
		}()
		last := time.Now()
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
			}
			publish("quotes.X")
			publish("quotes.Y")
			now := time.Now()
			worst = max(worst, now.Sub(last))
			last = now
			time.Sleep(time.Millisecond)
		}
		obs.Close()
	}
	b.ReportMetric(float64(worst)/float64(time.Millisecond), "max-pause-ms")
}
