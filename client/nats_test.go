package client_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ticker-dev/ticker/client"
)

// TestUpdatesResumeAfterNATSRestarts kills the NATS server under a gateway
// and starts it again. The gateway keeps its clients' sockets and
// resubscribes; the client sees no close, and the first update published
// after the restart arrives with the seq numbers skipped meanwhile as its
// gap.
func TestUpdatesResumeAfterNATSRestarts(t *testing.T) {
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			ns := startNATSProcess(t)
			g := pod(t, ns.url(), nil)
			pub := testPublisher(t, ns.url(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))

			rec := newRecorder()
			c := newClient(t, rec.options(client.Options{URLs: []string{g.URL}, Codec: k}))
			subscribe(t, c, "quotes.AAPL")
			run(t, c)
			at := rec.waitEvent(t, 0, client.Subscribed, g.URL)
			pub.mustPublish(t, "quotes.AAPL", quote("AAPL", 100, 1))
			rec.waitUpdate(t, 0, "quotes.AAPL", 1)

			ns.kill()
			rec.waitFor(t, "the gateway to notice", func([]client.Update, []client.Event) bool { return !g.ready() })
			ns.start()
			rec.waitFor(t, "the gateway to be ready again", func([]client.Update, []client.Event) bool { return g.ready() })

			// Seqs 2 to 4 were lost with the server. Until the publisher and
			// the gateway are both back, a publish may be lost too: send seq
			// 5 again (newer each time by its ts) until it arrives.
			nUpdates, _ := rec.counts()
			var got client.Update
			rec.waitFor(t, "AAPL seq 5 after the restart", func(updates []client.Update, _ []client.Event) bool {
				for _, u := range updates[nUpdates:] {
					if u.Subject == "quotes.AAPL" && u.Seq == 5 {
						got = u
						return true
					}
				}
				_ = pub.publish("quotes.AAPL", quote("AAPL", 101, 5))
				return false
			})
			if got.Gap != 3 || got.Snapshot || got.Quote == nil || got.Quote.Last != 101 {
				t.Errorf("first update after the restart: seq %d gap %d snapshot %v, want seq 5 at 101 live with gap 3", got.Seq, got.Gap, got.Snapshot)
			}
			for _, e := range rec.eventsFrom(at) {
				if e.State == client.Closed {
					t.Errorf("the client's connection closed while NATS restarted: %+v", e)
				}
			}
		})
	}
}
