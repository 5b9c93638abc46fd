package fanout

import (
	"sync"
	"testing"
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

// TestConcurrentReadersSeeOnlyWholeResultsDuringAMassLeave matches under
// -race while subs leave.
func TestConcurrentReadersSeeOnlyWholeResultsDuringAMassLeave(t *testing.T) {
	ix := newIndex()
	const n = 4 * copyLimit
	subs := make([]*sub, n)
	for i := range subs {
		subs[i] = &sub{s: &Subscriber{id: uint64(i + 1)}, pattern: "quotes.AAPL", active: true}
		ix.add(subs[i])
	}
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
	for _, x := range subs {
		ix.remove(x) // active is read by deliver under s.mu, not here
	}
	close(stop)
	wg.Wait()
}
