package client_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ticker-dev/ticker/client"
)

// TestGapsAreCountedPerSubject publishes seqs with a hole on one subject and
// none on another: only the update after the hole has a gap, of its size.
func TestGapsAreCountedPerSubject(t *testing.T) {
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			g := pod(t, "", nil)
			pub := testPublisher(t, g.App.NATSURL())
			rec := newRecorder()
			c := newClient(t, rec.options(client.Options{URLs: []string{g.URL}, Codec: k}))
			subscribe(t, c, "quotes.>")
			run(t, c)
			rec.waitEvent(t, 0, client.Subscribed, "")

			steps := []struct {
				symbol string
				seq    uint64
				gap    uint64
			}{
				{"AAPL", 1, 0}, {"MSFT", 1, 0}, {"AAPL", 2, 0}, {"MSFT", 2, 0},
				{"AAPL", 5, 2}, {"MSFT", 3, 0}, {"AAPL", 6, 0}, {"AAPL", 10, 3},
			}
			var want uint64
			for _, s := range steps {
				// One at a time, each awaited, so that nothing is conflated.
				pub.mustPublish(t, "quotes."+s.symbol, quote(s.symbol, 100+float64(s.seq), s.seq))
				u, _ := rec.waitUpdate(t, 0, "quotes."+s.symbol, s.seq)
				if u.Gap != s.gap || u.Conflated != 0 {
					t.Errorf("%s seq %d: gap %d conflated %d, want gap %d", s.symbol, s.seq, u.Gap, u.Conflated, s.gap)
				}
				if u.Quote == nil || u.Quote.Symbol != s.symbol || u.Quote.Last != 100+float64(s.seq) || u.Quote.Seq != s.seq {
					t.Errorf("%s seq %d decoded as %+v", s.symbol, s.seq, u.Quote)
				}
				want += s.gap
			}
			if st := c.Stats(); st.Gaps != want || st.Delivered != uint64(len(steps)) {
				t.Errorf("stats %+v, want %d gaps over %d updates", st, want, len(steps))
			}
		})
	}
}

// gate is an OnUpdate that stops on the update it is told to stop on until
// released, the way a consumer busy with something else would.
type gate struct {
	rec      *recorder
	stopOn   string // subject
	stopped  chan struct{}
	released chan struct{}
	once     sync.Once
}

func newGate(rec *recorder, subject string) *gate {
	return &gate{rec: rec, stopOn: subject, stopped: make(chan struct{}), released: make(chan struct{})}
}

func (g *gate) onUpdate(u client.Update) {
	g.rec.onUpdate(u)
	if u.Subject == g.stopOn {
		g.once.Do(func() {
			close(g.stopped)
			<-g.released
		})
	}
}

// TestASlowConsumerGetsTheNewestUpdateOfEachSubject stops the consumer on
// an update while 149 more arrive on three subjects. The reader goes on
// reading them all; the mailbox keeps the newest of each subject, in its
// place; released, the consumer gets exactly those three, with what it
// missed as their gap and conflated count, and the connection never closed.
func TestASlowConsumerGetsTheNewestUpdateOfEachSubject(t *testing.T) {
	g := pod(t, "", nil)
	pub := testPublisher(t, g.App.NATSURL())
	rec := newRecorder()
	gt := newGate(rec, "quotes.A")
	o := rec.options(client.Options{URLs: []string{g.URL}})
	o.OnUpdate = gt.onUpdate
	c := newClient(t, o)
	subscribe(t, c, "quotes.*")
	run(t, c)
	rec.waitEvent(t, 0, client.Subscribed, "")

	pub.mustPublish(t, "quotes.A", quote("A", 1, 1))
	<-gt.stopped
	for seq := uint64(2); seq <= 50; seq++ {
		pub.mustPublish(t, "quotes.A", quote("A", float64(seq), seq))
	}
	for _, s := range []string{"B", "C"} {
		for seq := uint64(1); seq <= 50; seq++ {
			pub.mustPublish(t, "quotes."+s, quote(s, float64(seq), seq))
		}
	}
	rec.waitFor(t, "the reader to read all 150 updates", func([]client.Update, []client.Event) bool {
		return c.Stats().Received == 150
	})
	close(gt.released)
	rec.waitFor(t, "4 updates", func(updates []client.Update, _ []client.Event) bool { return len(updates) == 4 })

	rec.mu.Lock()
	got := rec.updates[1:]
	rec.mu.Unlock()
	want := []struct {
		subject   string
		gap       uint64
		conflated int
	}{{"quotes.A", 48, 48}, {"quotes.B", 0, 49}, {"quotes.C", 0, 49}}
	for i, w := range want {
		u := got[i]
		if u.Subject != w.subject || u.Seq != 50 || u.Gap != w.gap || u.Conflated != w.conflated {
			t.Errorf("update %d after the stop: %s seq %d gap %d conflated %d, want %s seq 50 gap %d conflated %d",
				i, u.Subject, u.Seq, u.Gap, u.Conflated, w.subject, w.gap, w.conflated)
		}
	}
	if st := c.Stats(); st.Conflated != 146 || st.Dropped != 0 || st.Delivered != 4 {
		t.Errorf("stats %+v, want 146 conflated, none dropped, 4 delivered", st)
	}
	for _, e := range rec.eventsFrom(0) {
		if e.State == client.Closed {
			t.Errorf("the connection closed: %+v", e)
		}
	}
}

// TestBeyondMaxPendingUpdatesAreDroppedAndTheGapShows lets only two
// subjects wait: the third one's updates are dropped while the consumer is
// stopped, and its next update shows them as its gap.
func TestBeyondMaxPendingUpdatesAreDroppedAndTheGapShows(t *testing.T) {
	g := pod(t, "", nil)
	pub := testPublisher(t, g.App.NATSURL())
	rec := newRecorder()
	gt := newGate(rec, "quotes.A")
	o := rec.options(client.Options{URLs: []string{g.URL}, MaxPending: 2})
	o.OnUpdate = gt.onUpdate
	c := newClient(t, o)
	subscribe(t, c, "quotes.*")
	run(t, c)
	rec.waitEvent(t, 0, client.Subscribed, "")
	pub.mustPublish(t, "quotes.C", quote("C", 1, 1))
	rec.waitUpdate(t, 0, "quotes.C", 1)

	pub.mustPublish(t, "quotes.A", quote("A", 1, 1))
	<-gt.stopped
	for _, s := range []string{"A", "B", "C"} {
		for seq := uint64(2); seq <= 10; seq++ {
			pub.mustPublish(t, "quotes."+s, quote(s, float64(seq), seq))
		}
	}
	rec.waitFor(t, "the reader to read all 29 updates", func([]client.Update, []client.Event) bool {
		return c.Stats().Received == 29
	})
	if st := c.Stats(); st.Dropped != 9 {
		t.Errorf("dropped %d updates, want C's 9", st.Dropped)
	}
	close(gt.released)
	rec.waitUpdate(t, 0, "quotes.B", 10)
	pub.mustPublish(t, "quotes.C", quote("C", 11, 11))
	if u, _ := rec.waitUpdate(t, 0, "quotes.C", 11); u.Gap != 9 {
		t.Errorf("C seq 11 after the drops: gap %d, want 9", u.Gap)
	}
}

// TestARefusedSubscriptionIsReportedAndTheRestStays subscribes a pattern
// the gateway forbids beside one it allows: the forbidden one comes back as
// a Refused event with the server's error, the other is subscribed.
func TestARefusedSubscriptionIsReportedAndTheRestStays(t *testing.T) {
	g := pod(t, "", nil)
	rec := newRecorder()
	c := newClient(t, rec.options(client.Options{URLs: []string{g.URL}}))
	subscribe(t, c, "quotes.AAPL")
	subscribe(t, c, ">")
	run(t, c)
	at := rec.waitEvent(t, 0, client.Subscribed, "")
	events := rec.eventsFrom(0)
	refused := false
	for _, e := range events[:at] {
		if e.State != client.Refused {
			continue
		}
		refused = true
		var se *client.ServerError
		if !errors.As(e.Err, &se) || se.Code != client.CodeForbidden || fmt.Sprint(se.Patterns) != "[>]" {
			t.Errorf("refused with %v (patterns %v), want forbidden for [>]", e.Err, e.Patterns)
		}
	}
	if !refused {
		t.Errorf("no Refused event before Subscribed: %+v", events)
	}
	if got := fmt.Sprint(events[at].Patterns); got != "[quotes.AAPL]" {
		t.Errorf("subscribed to %s, want [quotes.AAPL]", got)
	}
	if err := c.Subscribe("quotes.AA*"); err == nil {
		t.Error("Subscribe(quotes.AA*) = nil, want the subject rules' error")
	}
}

// TestAfterUnsubscribeNothingOfThePatternArrives unsubscribes one of two
// patterns; a later update of it is not delivered, one of the other is.
func TestAfterUnsubscribeNothingOfThePatternArrives(t *testing.T) {
	g := pod(t, "", nil)
	pub := testPublisher(t, g.App.NATSURL())
	rec := newRecorder()
	c := newClient(t, rec.options(client.Options{URLs: []string{g.URL}}))
	subscribe(t, c, "quotes.AAPL", "quotes.MSFT")
	run(t, c)
	rec.waitEvent(t, 0, client.Subscribed, "")
	if err := c.Unsubscribe("quotes.AAPL"); err != nil {
		t.Fatal(err)
	}
	// The unsub is in effect once its ack came; a ping after it (Subscribe
	// of a held pattern is one) proves that.
	_, n := rec.counts()
	subscribe(t, c, "quotes.MSFT")
	rec.waitEvent(t, n, client.Subscribed, "")
	pub.mustPublish(t, "quotes.AAPL", quote("AAPL", 1, 1))
	pub.mustPublish(t, "quotes.MSFT", quote("MSFT", 1, 1))
	rec.waitUpdate(t, 0, "quotes.MSFT", 1)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, u := range rec.updates {
		if u.Subject == "quotes.AAPL" {
			t.Errorf("an AAPL update after unsubscribing: %+v", u)
		}
	}
}
