package subscribe_test

import (
	"testing"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

var matchTests = []struct {
	name, pattern, subject string
	want                   bool
}{
	{"equal literals", "quotes.AAPL", "quotes.AAPL", true},
	{"different literal", "quotes.AAPL", "quotes.MSFT", false},
	{"literal is case-sensitive", "quotes.aapl", "quotes.AAPL", false},
	{"literal prefix is not a token", "quotes.AA", "quotes.AAPL", false},
	{"literal longer than token", "quotes.AAPLX", "quotes.AAPL", false},
	{"pattern shorter", "quotes", "quotes.AAPL", false},
	{"pattern longer", "quotes.AAPL.x", "quotes.AAPL", false},
	{"single token", "quotes", "quotes", true},
	{"star matches one token", "quotes.*", "quotes.AAPL", true},
	{"star needs a token", "quotes.*", "quotes", false},
	{"star matches only one token", "quotes.*", "quotes.a.b", false},
	{"star in the middle", "scores.*.g1", "scores.nba.g1", true},
	{"star in the middle, other last", "scores.*.g1", "scores.nba.g2", false},
	{"only star", "*", "quotes", true},
	{"only star, two tokens", "*", "quotes.AAPL", false},
	{"stars", "*.*", "quotes.AAPL", true},
	{"full wildcard matches one token", "quotes.>", "quotes.AAPL", true},
	{"full wildcard matches many tokens", "quotes.>", "quotes.a.b.c", true},
	{"full wildcard needs a token", "quotes.>", "quotes", false},
	{"full wildcard, other prefix", "quotes.>", "scores.nba", false},
	{"only full wildcard", ">", "quotes.AAPL", true},
	{"only full wildcard, one token", ">", "quotes", true},
	{"star then full wildcard", "*.>", "quotes", false},
	{"star then full wildcard, two tokens", "*.>", "quotes.AAPL", true},
	{"prefix differs before full wildcard", "scores.nba.>", "scores.nhl.g1", false},
	{"subject prefix of pattern literal", "quotesX.>", "quotes.AAPL", false},
	{"16 tokens", tokens(16), tokens(16), true},
	{"full wildcard at token 16", tokens(15) + ".>", tokens(16), true},
}

func TestMatch(t *testing.T) {
	for _, tt := range matchTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subscribe.Match(tt.pattern, tt.subject); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.subject, got, tt.want)
			}
			if got := refMatch(tt.pattern, tt.subject); got != tt.want {
				t.Errorf("refMatch(%q, %q) = %v, want %v", tt.pattern, tt.subject, got, tt.want)
			}
		})
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		for _, tt := range matchTests {
			subscribe.Match(tt.pattern, tt.subject)
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per run, want 0", allocs)
	}
}

func TestMatchNeverPanicsOnInvalidInput(t *testing.T) {
	for _, p := range []string{"", ".", "..", "a.", ">.>", "*"} {
		for _, s := range []string{"", ".", "a..b", "a."} {
			subscribe.Match(p, s)
		}
	}
}
