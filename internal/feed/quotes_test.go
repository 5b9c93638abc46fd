package feed

import (
	"math/rand/v2"
	"testing"
)

func TestSymbolsAreDistinctSubjectTokens(t *testing.T) {
	seen := make(map[string]bool)
	for i := range 12000 {
		s := symbol(i)
		if !validToken(s) {
			t.Errorf("symbol %d %q is not a subject token", i, s)
		}
		if seen[s] {
			t.Errorf("symbol %d %q repeats", i, s)
		}
		seen[s] = true
	}
	if s0, s50, s9999 := symbol(0), symbol(50), symbol(9999); s0 != "AAPL" || s50 != "S0051" || s9999 != "S10000" {
		t.Errorf("symbols 0, 50, 9999 = %s, %s, %s", s0, s50, s9999)
	}
}

func TestQuoteWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 60 {
		q := newQuote(i, rng)
		start := q.q.Last
		vol := q.q.Volume
		for range 20_000 {
			q.step(rng)
			if !(0 < q.q.Bid && q.q.Bid < q.q.Last && q.q.Last < q.q.Ask) {
				t.Fatalf("%s: bid %v, last %v, ask %v", q.q.Symbol, q.q.Bid, q.q.Last, q.q.Ask)
			}
			if spread := q.q.Ask - q.q.Bid; spread > 0.01*q.q.Last {
				t.Fatalf("%s: spread %v at price %v", q.q.Symbol, spread, q.q.Last)
			}
			if q.q.Size <= 0 || q.q.Volume != vol+q.q.Size {
				t.Fatalf("%s: size %d, volume %d after %d", q.q.Symbol, q.q.Size, q.q.Volume, vol)
			}
			vol = q.q.Volume
		}
		// The walk stays realistic: near where it started (stationary sd 2%).
		if r := q.q.Last / start; r < 0.8 || r > 1.25 {
			t.Errorf("%s went from %v to %v", q.q.Symbol, start, q.q.Last)
		}
	}
}
