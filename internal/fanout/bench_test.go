package fanout

import (
	"fmt"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
)

// discard is a Transport that drops frames.
type discard struct{}

func (discard) Write([]byte) error { return nil }
func (discard) Close(int, string)  {}

// hubWith returns a hub with n subscribers of quotes.X, half of each codec.
func hubWith(tb testing.TB, n int) (*Hub, func()) {
	h := NewHub(Options{})
	subs := make([]*Subscriber, n)
	for i := range subs {
		subs[i] = h.NewSubscriber(discard{}, codec.Kind(i%2))
		if err := subs[i].Subscribe(tb.Context(), codec.ID{}, []string{"quotes.X"}); err != nil {
			tb.Fatal(err)
		}
	}
	return h, func() {
		for _, s := range subs {
			s.Close()
		}
		h.Close()
	}
}

// messages builds n successive updates of quotes.X ahead of the measurement.
func messages(tb testing.TB, n int) []*Message {
	ms := make([]*Message, n)
	for i := range ms {
		m, err := NewMessage("quotes.X", payload(tb, uint64(i+1)))
		if err != nil {
			tb.Fatal(err)
		}
		ms[i] = m
	}
	return ms
}

// BenchmarkBroadcast measures one update fanned out to n subscribers, half
// of each codec, through queues whose transport drops the frames.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{1, 1000, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h, done := hubWith(b, n)
			defer done()
			ms := messages(b, b.N+1)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				h.broadcast(ms[i])
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
