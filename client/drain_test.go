package client_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// TestAfterADrainTheClientMovesToTheNextPodAndResubscribes drains the pod a
// client is on: the gateway closes it with 1001, and the client connects to
// the second URL within the going-away jitter, subscribes again, and gets
// the snapshots of what it holds from the other pod (which reads them from
// the snapshot stream), then live updates from there.
func TestAfterADrainTheClientMovesToTheNextPodAndResubscribes(t *testing.T) {
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			natsURL := startNATS(t)
			a, b := pod(t, natsURL, nil), pod(t, natsURL, nil)
			pub := testPublisher(t, natsURL)
			pub.mustStore(t, "quotes.AAPL", quote("AAPL", 189.13, 1))
			pub.mustStore(t, "scores.nba.g1", score("nba", "g1", 88, 85, 1))

			rec := newRecorder()
			c := newClient(t, rec.options(client.Options{URLs: []string{a.URL, b.URL}, Codec: k}))
			subscribe(t, c, "quotes.AAPL", "scores.nba.*")
			run(t, c)
			rec.waitEvent(t, 0, client.Subscribed, a.URL)
			for _, s := range []string{"quotes.AAPL", "scores.nba.g1"} {
				if u, _ := rec.waitUpdate(t, 0, s, 1); !u.Snapshot || u.URL != a.URL || u.Codec != k {
					t.Errorf("first %s: snapshot %v from %s in %s, want a snapshot from %s in %s", s, u.Snapshot, u.URL, u.Codec, a.URL, k)
				}
			}
			nUpdates, nEvents := rec.counts()

			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			at := rec.waitEvent(t, nEvents, client.Subscribed, b.URL)
			var states []client.State
			for _, e := range rec.eventsFrom(nEvents)[:at-nEvents+1] {
				states = append(states, e.State)
				if e.State == client.Closed {
					if e.Code != client.StatusGoingAway || e.URL != a.URL || e.Final || e.RetryIn > client.DefaultBackoff.GoingAwayMax {
						t.Errorf("closed: %d %q from %s final %v retry in %v; want 1001 from %s, retried within %v",
							e.Code, e.Reason, e.URL, e.Final, e.RetryIn, a.URL, client.DefaultBackoff.GoingAwayMax)
					}
					var ce *client.CloseError
					if !errors.As(e.Err, &ce) || ce.Code != client.StatusGoingAway {
						t.Errorf("closed with error %v, want a *CloseError with 1001", e.Err)
					}
				}
			}
			want := []client.State{client.Closed, client.Connecting, client.Open, client.Subscribed}
			if !equal(states, want) {
				t.Errorf("after the drain the client went %v, want %v", states, want)
			}
			for _, s := range []string{"quotes.AAPL", "scores.nba.g1"} {
				if u, _ := rec.waitUpdate(t, nUpdates, s, 1); !u.Snapshot || u.URL != b.URL || u.Gap != 0 {
					t.Errorf("%s after the drain: snapshot %v from %s gap %d, want a snapshot from %s, no gap", s, u.Snapshot, u.URL, u.Gap, b.URL)
				}
			}

			pub.mustPublish(t, "quotes.AAPL", quote("AAPL", 189.5, 2))
			if u, _ := rec.waitUpdate(t, nUpdates, "quotes.AAPL", 2); u.Snapshot || u.URL != b.URL || u.Quote == nil || u.Quote.Last != 189.5 {
				t.Errorf("live update after the drain: %+v, want AAPL at 189.5 from %s", u, b.URL)
			}
		})
	}
}

// TestWhenThePodComesBackTheClientReconnectsAndResubscribes takes the only
// pod away and brings a new one up on the same address and storage: the
// client's attempts fail meanwhile, with backoff, and once the pod is back
// it subscribes again and gets its snapshot.
func TestWhenThePodComesBackTheClientReconnectsAndResubscribes(t *testing.T) {
	dir := t.TempDir()
	first := pod(t, "", func(c *appConfig) { c.DataDir = dir })
	addr := first.App.Addr()
	pub, err := newPublisher(first.App.NATSURL())
	if err != nil {
		t.Fatal(err)
	}
	err = pub.store("quotes.MSFT", quote("MSFT", 420, 7))
	pub.nc.Close()
	if err != nil {
		t.Fatal(err)
	}

	rec := newRecorder()
	c := newClient(t, rec.options(client.Options{URLs: []string{first.URL},
		Backoff: client.Backoff{Base: 20 * time.Millisecond, Cap: 100 * time.Millisecond, GoingAwayMax: 10 * time.Millisecond}}))
	subscribe(t, c, "quotes.MSFT")
	run(t, c)
	rec.waitUpdate(t, 0, "quotes.MSFT", 7)
	nUpdates, nEvents := rec.counts()

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// Wait for two failed attempts: the client is retrying while nothing listens.
	rec.waitFor(t, "two failed attempts", func(_ []client.Update, events []client.Event) bool {
		failed := 0
		for _, e := range events[nEvents:] {
			if e.State == client.Closed && e.Code == client.StatusAbnormal {
				failed++
			}
		}
		return failed >= 2
	})
	pod(t, "", func(c *appConfig) { c.DataDir, c.Listen = dir, addr })
	at := rec.waitEvent(t, nEvents, client.Subscribed, first.URL)
	if u, _ := rec.waitUpdate(t, nUpdates, "quotes.MSFT", 7); !u.Snapshot {
		t.Errorf("MSFT after the pod came back: %+v, want its snapshot", u)
	}
	for _, e := range rec.eventsFrom(nEvents)[:at-nEvents] {
		if e.Final {
			t.Errorf("a final event while the pod was away: %+v", e)
		}
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
