package fanout

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// keepingBus is a memBus that also keeps the last update of each subject,
// as the JetStream snapshot stream does; gate, when set, holds LastValues
// until it is closed.
type keepingBus struct {
	memBus
	last  map[string][]byte
	calls int
	gate  chan struct{}
}

func newKeepingBus() *keepingBus {
	return &keepingBus{memBus: memBus{watching: map[string]bool{}}, last: map[string][]byte{}}
}

func (b *keepingBus) LastValues(_ context.Context, patterns []string, fn func(string, []byte)) error {
	b.mu.Lock()
	b.calls++
	gate := b.gate
	b.mu.Unlock()
	if gate != nil {
		<-gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for subject, p := range b.last {
		for _, pattern := range patterns {
			if subscribe.Match(pattern, subject) {
				fn(subject, p)
				break
			}
		}
	}
	return nil
}

func (b *keepingBus) keep(subject string, payload []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last[subject] = payload
}

func TestTheFirstSubOfAPatternReplaysTheLastValuesTheBusKeeps(t *testing.T) {
	for _, tc := range []struct {
		name     string
		hubSeq   uint64 // what the hub itself saw of quotes.X first; 0: nothing
		busSeq   uint64 // what the bus kept
		wantSnap string
	}{
		{"a subject the hub never saw", 0, 7, `"seq":7`},
		{"the bus is ahead of the hub", 3, 7, `"seq":7`},
		{"the bus is behind the hub", 9, 7, `"seq":9`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bus := newKeepingBus()
			h := newTestHub(t, Options{Bus: bus})
			if tc.hubSeq > 0 { // someone on this pod follows quotes.> already
				watcher := h.NewSubscriber(newRecorder(), codec.JSON)
				defer watcher.Close()
				if err := watcher.Subscribe(t.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
					t.Fatal(err)
				}
				h.Deliver("quotes.X", payload(t, tc.hubSeq))
			}
			bus.keep("quotes.X", payload(t, tc.busSeq))

			rec := newRecorder()
			s := h.NewSubscriber(rec, codec.JSON)
			defer s.Close()
			if err := s.Subscribe(t.Context(), codec.IntID(1), []string{"quotes.X"}, SubOptions{}); err != nil {
				t.Fatal(err)
			}
			got := rec.waitMessages(t, 2)
			if !strings.Contains(got[1], `"snapshot":true`) || !strings.Contains(got[1], tc.wantSnap) {
				t.Fatalf("got %q, want the ack, then the snapshot with %s", got, tc.wantSnap)
			}
		})
	}
}

func TestSubscribersRacingForANewPatternAllGetItsSnapshot(t *testing.T) {
	bus := newKeepingBus()
	bus.keep("quotes.X", payload(t, 4))
	bus.gate = make(chan struct{})
	h := newTestHub(t, Options{Bus: bus})

	recs := make([]*recorder, 4)
	var wg sync.WaitGroup
	for i := range recs {
		recs[i] = newRecorder()
		s := h.NewSubscriber(recs[i], codec.JSON)
		defer s.Close()
		wg.Go(func() {
			if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{}); err != nil {
				t.Error(err)
			}
		})
	}
	close(bus.gate) // the first holder's read of last values ends only now
	wg.Wait()
	for i, rec := range recs {
		if got := rec.waitMessages(t, 2); !strings.Contains(got[1], `"seq":4`) {
			t.Fatalf("subscriber %d got %q, want the snapshot", i, got)
		}
	}
	if bus.calls != 1 {
		t.Fatalf("the bus was asked %d times, want once for one new pattern", bus.calls)
	}
}

func TestResyncDeliversWhatChangedWhileTheBusWasAway(t *testing.T) {
	bus := newKeepingBus()
	h := newTestHub(t, Options{Bus: bus})
	rec := newRecorder()
	s := h.NewSubscriber(rec, codec.JSON)
	defer s.Close()
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.*"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes.X", payload(t, 1))
	h.Deliver("quotes.Y", payload(t, 1))
	rec.waitMessages(t, 3)

	// While the bus was away X moved on twice and Y did not move.
	bus.keep("quotes.X", payload(t, 3))
	bus.keep("quotes.Y", payload(t, 1))
	h.Resync(t.Context())
	h.Deliver("quotes.Y", payload(t, 2))
	got := rec.waitMessages(t, 5)
	if len(got) != 5 || !strings.Contains(got[3], `"seq":3`) || strings.Contains(got[3], "snapshot") || !strings.Contains(got[4], `"seq":2`) {
		t.Fatalf("got %q, want X's newest update live, then Y's next, and no repeat", got)
	}
}

func TestOnlyAJoinThatStartsWatchingAPatternWaitsForTheBus(t *testing.T) {
	bus := &memBus{watching: map[string]bool{}}
	h := newTestHub(t, Options{Bus: bus})
	join := func(patterns ...string) {
		t.Helper()
		s := h.NewSubscriber(newRecorder(), codec.JSON)
		t.Cleanup(s.Close)
		if err := s.Subscribe(t.Context(), codec.ID{}, patterns, SubOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	syncs := func() int {
		bus.mu.Lock()
		defer bus.mu.Unlock()
		return bus.syncs
	}
	join("quotes.A")
	if n := syncs(); n != 1 {
		t.Fatalf("%d syncs after the first join, want 1", n)
	}
	for range 10 {
		join("quotes.A")
	}
	if n := syncs(); n != 1 {
		t.Errorf("%d syncs after 10 joins of a watched pattern, want still 1", n)
	}
	join("quotes.A", "quotes.B")
	if n := syncs(); n != 2 {
		t.Errorf("%d syncs after a join with one new pattern, want 2", n)
	}
}
