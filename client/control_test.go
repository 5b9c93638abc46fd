package client_test

import (
	"testing"

	"github.com/ticker-dev/ticker/client"
)

// TestDeltaSubscriptionsDeliverTheWholeQuote subscribes with deltas and a
// rate limit and publishes quotes one field apart, each awaited: every
// update delivered is the whole quote as published, whether the gateway sent
// it as a delta (merged by the client) or whole, some came as deltas, and
// no delta failed.
func TestDeltaSubscriptionsDeliverTheWholeQuote(t *testing.T) {
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			g := pod(t, "", nil)
			pub := testPublisher(t, g.App.NATSURL())
			rec := newRecorder()
			c := newClient(t, rec.options(client.Options{URLs: []string{g.URL}, Codec: k}))
			if err := c.SubscribeWith(client.SubscribeOptions{Delta: true, MaxRate: 1000}, "quotes.>"); err != nil {
				t.Fatal(err)
			}
			run(t, c)
			rec.waitEvent(t, 0, client.Subscribed, "")
			deltas := 0
			for seq := uint64(1); seq <= 6; seq++ {
				q := quote("AAPL", 100+float64(seq), seq)
				q.Volume = 1000 // unchanged after the first: absent from the deltas
				pub.mustPublish(t, "quotes.AAPL", q)
				u, _ := rec.waitUpdate(t, 0, "quotes.AAPL", seq)
				if u.Quote == nil || u.Quote.Last != q.Last || u.Quote.Volume != 1000 || u.Quote.Symbol != "AAPL" || u.Quote.Bid != q.Bid {
					t.Fatalf("seq %d: got %+v, published %+v", seq, u.Quote, q)
				}
				if u.Delta {
					deltas++
				}
			}
			if deltas == 0 {
				t.Error("no update came as a delta")
			}
			if st := c.Stats(); st.DeltaErrors != 0 {
				t.Errorf("%d deltas failed", st.DeltaErrors)
			}
		})
	}
}
