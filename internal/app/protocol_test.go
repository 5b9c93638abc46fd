package app

import (
	"fmt"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
)

var codecs = []codec.Kind{codec.JSON, codec.Msgpack}

func TestSubscriberGetsAckThenSnapshotThenLiveUpdatesInOrder(t *testing.T) {
	a := startApp(t, nil)
	pub := newPublisher(t, a)
	// Another client makes the gateway follow AAPL, so it has a last value.
	watcher := dial(t, a, codec.JSON)
	sub(t, watcher, 1, "quotes.AAPL")
	pub.quote("AAPL", 189.10)
	snapSeq := pub.quote("AAPL", 189.12)
	for range 2 {
		next(t, watcher, "msg")
	}

	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			c := dial(t, a, k)
			if c.Codec() != wire(k) {
				t.Fatalf("negotiated %s, want %s", c.Codec(), k)
			}
			sub(t, c, 7, "quotes.AAPL")
			snap := next(t, c, "msg")
			var q codec.Quote
			if err := snap.Decode(&q); err != nil {
				t.Fatal(err)
			}
			if !snap.Snapshot || snap.Subject != "quotes.AAPL" || q.Symbol != "AAPL" || q.Seq < snapSeq || q.Last == 0 {
				t.Fatalf("snapshot = %+v %+v, want snapshot of AAPL with seq >= %d", snap, q, snapSeq)
			}
			prev := q.Seq
			for range 3 {
				pub.quote("AAPL", 190)
				m := next(t, c, "msg")
				h, err := m.Header()
				if err != nil {
					t.Fatal(err)
				}
				if m.Snapshot || h.Seq != prev+1 {
					t.Fatalf("live update %+v seq %d, want seq %d without snapshot", m, h.Seq, prev+1)
				}
				prev = h.Seq
			}
		})
	}
}

func TestPingIsAnsweredWithPongCarryingTheSameID(t *testing.T) {
	a := startApp(t, nil)
	for _, k := range codecs {
		for _, id := range []any{3, "req-3"} {
			t.Run(fmt.Sprintf("%s/%v", k, id), func(t *testing.T) {
				c := dial(t, a, k)
				if err := c.Ping(testCtx(t), id); err != nil {
					t.Fatal(err)
				}
				if m := next(t, c, "pong"); fmt.Sprint(m.ID) != fmt.Sprint(id) {
					t.Fatalf("pong id %v, want %v", m.ID, id)
				}
			})
		}
	}
}

func TestUnsubscribeIsAckedAndNothingOfThePatternFollows(t *testing.T) {
	a := startApp(t, nil)
	pub := newPublisher(t, a)
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			// Symbols of their own: the other subtest's sessions may still
			// be closing on the server.
			msft, ibm := "MSFT"+k.String(), "IBM"+k.String()
			c := dial(t, a, k)
			other := dial(t, a, k) // keeps the gateway's NATS interest alive
			sub(t, c, 1, "quotes."+msft, "quotes."+ibm)
			sub(t, other, 1, "quotes."+msft)
			pub.quote(msft, 410)
			next(t, c, "msg")
			next(t, other, "msg")

			if err := c.Unsub(testCtx(t), 2, "quotes."+msft); err != nil {
				t.Fatal(err)
			}
			if m := next(t, c, "ack"); fmt.Sprint(m.ID) != "2" {
				t.Fatalf("unsub ack id %v", m.ID)
			}
			pub.quote(msft, 411)
			pub.quote(msft, 412)
			next(t, other, "msg")
			next(t, other, "msg") // the hub has fanned both out
			barrier(t, c, "after-unsub")

			pub.quote(ibm, 150) // the pattern still held keeps flowing
			if m := next(t, c, "msg"); m.Subject != "quotes."+ibm {
				t.Fatalf("got %s, want quotes.%s", m.Subject, ibm)
			}
		})
	}
}

func TestUnsubscribingAPatternNotHeldIsAcked(t *testing.T) {
	a := startApp(t, nil)
	c := dial(t, a, codec.JSON)
	if err := c.Unsub(testCtx(t), 9, "quotes.NOPE"); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c, "ack"); fmt.Sprint(m.ID) != "9" {
		t.Fatalf("ack id %v", m.ID)
	}
}

func TestWildcardsMatchEverySubjectUnderThem(t *testing.T) {
	a := startApp(t, nil)
	pub := newPublisher(t, a)
	c := dial(t, a, codec.JSON)
	sub(t, c, 1, "quotes.*", "scores.nba.>")

	symbols := []string{"AAPL", "MSFT", "NVDA", "TSLA"}
	for _, s := range symbols {
		pub.quote(s, 100)
	}
	games := []string{"g0001", "g0002", "g0003"}
	for _, g := range games {
		pub.score("nba", g, 10, 8)
	}
	pub.score("nhl", "g0009", 1, 0) // not subscribed
	barrierAfter := len(symbols) + len(games)
	got := map[string]int{}
	for range barrierAfter {
		got[next(t, c, "msg").Subject]++
	}
	for _, s := range symbols {
		if got["quotes."+s] != 1 {
			t.Errorf("quotes.%s delivered %d times, want 1", s, got["quotes."+s])
		}
	}
	for _, g := range games {
		if got["scores.nba."+g] != 1 {
			t.Errorf("scores.nba.%s delivered %d times, want 1", g, got["scores.nba."+g])
		}
	}
	pub.quote("AAPL", 101) // proves nhl did not slip in before it
	if m := next(t, c, "msg"); m.Subject != "quotes.AAPL" {
		t.Fatalf("got %s, want quotes.AAPL (nhl is not subscribed)", m.Subject)
	}
}

func TestOverlappingPatternsDeliverEachMessageOnce(t *testing.T) {
	a := startApp(t, nil)
	pub := newPublisher(t, a)
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			sym, marker := "AAPL"+k.String(), "ZZZZ"+k.String()
			c := dial(t, a, k)
			sub(t, c, 1, "quotes."+sym, "quotes.*", "quotes.>")
			var seqs []uint64
			for range 5 {
				pub.quote(sym, 100)
			}
			pub.quote(marker, 1) // a marker after the updates
			for {
				m := next(t, c, "msg")
				if m.Snapshot {
					continue // the other subtest's subjects, still known
				}
				if m.Subject == "quotes."+marker {
					break
				}
				h, _ := m.Header()
				seqs = append(seqs, h.Seq)
			}
			for i := 1; i < len(seqs); i++ {
				if seqs[i] != seqs[i-1]+1 {
					t.Fatalf("seqs %v: want each once, in order", seqs)
				}
			}
			if len(seqs) != 5 {
				t.Fatalf("got %d %s updates %v, want 5", len(seqs), sym, seqs)
			}
		})
	}
}
