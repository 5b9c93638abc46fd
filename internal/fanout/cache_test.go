package fanout

import (
	"sync"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
)

// TestAMassLeaveKeepsTheCachedResultRightAndRebuildsItRarely removes subs
// of one subject one by one, as a mass leave does, and checks after each
// removal that the cached result holds every remaining sub, that at most
// half of it is stale, and that the result is rebuilt O(log n) times.
func TestAMassLeaveKeepsTheCachedResultRightAndRebuildsItRarely(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		n       int
	}{
		{"small literal", "quotes.AAPL", copyLimit / 2},
		{"large literal", "quotes.AAPL", 4 * copyLimit},
		{"large wildcard", "quotes.>", 4 * copyLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := newIndex()
			mt := newMatcher(ix)
			subs := make([]*sub, tc.n)
			for i := range subs {
				subs[i] = &sub{s: &Subscriber{id: uint64(i + 1)}, pattern: tc.pattern, active: true}
				ix.add(subs[i])
			}
			rebuilds := 0
			prev := mt.match("quotes.AAPL")
			for i, x := range subs {
				x.active = false
				ix.remove(x)
				res := mt.match("quotes.AAPL")
				if len(res) > 0 && len(prev) > 0 && &res[0] != &prev[0] {
					rebuilds++
				}
				prev = res
				live := 0
				seen := map[*sub]bool{}
				for _, y := range res {
					if seen[y] {
						t.Fatalf("sub %d twice in the result", y.s.id)
					}
					seen[y] = true
					if y.active {
						live++
					}
				}
				if want := tc.n - i - 1; live != want {
					t.Fatalf("after %d removals: %d live subs in the result, want %d", i+1, live, want)
				}
				if 2*(len(res)-live) > len(res) {
					t.Fatalf("after %d removals: %d of %d stale", i+1, len(res)-live, len(res))
				}
			}
			if rebuilds > 2*copyLimit {
				t.Errorf("%d rebuilds for %d removals", rebuilds, tc.n)
			}
		})
	}
}

// TestConcurrentReadersSeeOnlyWholeResultsDuringAStormAndAMassLeave matches
// under -race while subs join, growing the result in place, then leave.
func TestConcurrentReadersSeeOnlyWholeResultsDuringAStormAndAMassLeave(t *testing.T) {
	ix := newIndex()
	const n = 4 * copyLimit
	subs := make([]*sub, n)
	newMatcher(ix).match("quotes.AAPL") // cached before the storm
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mt := newMatcher(ix)
			for {
				select {
				case <-stop:
					return
				default:
				}
				res := mt.match("quotes.AAPL")
				for i := 1; i < len(res); i++ {
					if res[i-1].s.id >= res[i].s.id {
						t.Errorf("result out of order")
						return
					}
				}
			}
		}()
	}
	for i := range subs {
		subs[i] = &sub{s: &Subscriber{id: uint64(i + 1)}, pattern: "quotes.AAPL", active: true}
		ix.add(subs[i])
	}
	for _, x := range subs {
		ix.remove(x) // active is read by deliver under s.mu, not here
	}
	close(stop)
	wg.Wait()
}

// TestAJoinStormGrowsTheCachedResultInPlace adds subs of one subject one by
// one, as a reconnect storm does, while a reader holds on to every result it
// got: each new result holds every sub added so far, the results read
// earlier are unchanged, and the result moves to a new array only when it
// doubles.
func TestAJoinStormGrowsTheCachedResultInPlace(t *testing.T) {
	for _, pattern := range []string{"quotes.AAPL", "quotes.*", "quotes.>"} {
		t.Run(pattern, func(t *testing.T) {
			const n = 8 * copyLimit
			ix := newIndex()
			mt := newMatcher(ix)
			mt.match("quotes.AAPL") // cached, empty
			var seen [][]*sub
			moves := 0
			for i := range n {
				x := &sub{s: &Subscriber{id: uint64(i + 1)}, pattern: pattern, active: true}
				ix.add(x)
				res := mt.match("quotes.AAPL")
				if len(res) != i+1 || res[i] != x {
					t.Fatalf("after %d adds: %d subs, the last not the new one", i+1, len(res))
				}
				if i > 0 && &res[0] != &seen[i-1][0] {
					moves++
				}
				seen = append(seen, res)
			}
			for i, res := range seen {
				if len(res) != i+1 || res[i].s.id != uint64(i+1) {
					t.Fatalf("result %d changed after it was read", i)
				}
			}
			if moves > 16 {
				t.Fatalf("the result moved %d times in %d adds, want O(log n)", moves, n)
			}
		})
	}
}

// A subscriber whose patterns overlap gets each update once, also when a
// pattern it dropped still sits, stale, in the subject's cached result and
// the patterns it holds now were added at its end.
func TestOverlappingPatternsDeliverOnceAroundAStaleSub(t *testing.T) {
	h := newTestHub(t, Options{})
	other := h.NewSubscriber(newRecorder(), codec.JSON)
	t.Cleanup(other.Close)
	s := h.NewSubscriber(newRecorder(), codec.JSON)
	rec := s.t.(*recorder)
	t.Cleanup(s.Close)
	subscribe := func(x *Subscriber, p string) {
		if err := x.Subscribe(t.Context(), codec.ID{}, []string{p}, SubOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	subscribe(s, "quotes.*")
	subscribe(other, "quotes.X")
	subscribe(other, "quotes.>")
	h.Deliver("quotes.X", payload(t, 1)) // cached: [other, other, s quotes.*]
	h.settle(t.Context())
	s.Unsubscribe(codec.ID{}, []string{"quotes.*"}) // stale in the result
	third := h.NewSubscriber(newRecorder(), codec.JSON)
	t.Cleanup(third.Close)
	subscribe(third, "quotes.>") // appended after the stale sub
	subscribe(s, "quotes.>")     // appended at the end
	subscribe(s, "quotes.X")     // overlaps: next to quotes.>
	h.Deliver("quotes.X", payload(t, 2))
	h.settle(t.Context())
	waitUntil(t, func() bool { return s.idle() })
	var seqs []float64
	for _, m := range decodeControlled(t, rec.messages()) {
		if m.Op == "msg" {
			seqs = append(seqs, m.Data["seq"].(float64))
		}
	}
	// seq 1 live, then seq 1 as the snapshot of each new pattern, then
	// seq 2 once.
	if n := len(seqs); n == 0 || seqs[n-1] != 2 || (n > 1 && seqs[n-2] == 2) {
		t.Fatalf("updates %v: want seq 2 once, last", seqs)
	}
}

func TestASubRemovedBeforeItIsAddedNeverEntersTheIndex(t *testing.T) {
	ix := newIndex()
	mt := newMatcher(ix)
	s := &Subscriber{id: 1, subs: make(map[string]*sub)}
	for _, pattern := range []string{"quotes.X", "quotes.>"} {
		x := &sub{s: s, pattern: pattern, active: true}
		s.subs[pattern] = x
		ix.remove(x) // a Close that ran while a Subscribe was between its locks
		ix.add(x)
		if got := mt.match("quotes.X"); len(got) != 0 {
			t.Fatalf("%s: matched %d subs after remove then add, want 0", pattern, len(got))
		}
	}
}
