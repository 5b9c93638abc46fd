package auth_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

func mustAllow(t *testing.T, patterns ...string) subscribe.Allow {
	t.Helper()
	a, err := subscribe.NewAllow(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRestrictPermitsWhatBothPermit(t *testing.T) {
	server := mustAllow(t, "quotes.>", "scores.>")
	tests := []struct {
		name    string
		granted []string
		permits []string
		refuses []string
	}{
		{"a symbol and a league", []string{"quotes.AAPL", "scores.nba.*"},
			[]string{"quotes.AAPL", "scores.nba.g0042", "scores.nba.*"},
			[]string{"quotes.MSFT", "quotes.*", "quotes.>", "scores.>", "scores.nhl.g1", "scores.nba.g1.x"}},
		{"everything is as much as the server allows", []string{">"},
			[]string{"quotes.>", "scores.>", "quotes.AAPL", "scores.*.*"},
			[]string{">", "news.x", "*.AAPL"}},
		{"a wildcard meets the server's prefixes", []string{"*.nba.>"},
			[]string{"scores.nba.g1", "scores.nba.>", "quotes.nba.x"},
			[]string{"scores.>", "scores.nhl.g1", "quotes.nba", "quotes.AAPL"}},
		{"more than the server allows is cut to it", []string{"quotes.>", "news.>"},
			[]string{"quotes.AAPL", "quotes.>"},
			[]string{"news.x", "scores.nba.g1"}},
		{"outside the server's patterns grants nothing", []string{"news.>"},
			nil, []string{"news.x", "quotes.AAPL"}},
		{"an empty grant grants nothing", nil,
			nil, []string{"quotes.AAPL", "scores.nba.g1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allow := auth.GrantOf(tt.granted...).Restrict(server)
			for _, p := range tt.permits {
				if !allow.Permits(p) {
					t.Errorf("%q refused", p)
				}
			}
			for _, p := range tt.refuses {
				if allow.Permits(p) {
					t.Errorf("%q permitted", p)
				}
			}
		})
	}
}

// randomPattern is a valid pattern of up to 4 tokens from a small alphabet,
// so that patterns often overlap.
func randomPattern(r *rand.Rand) string {
	toks := []string{"a", "b", "*"}
	n := 1 + r.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = toks[r.IntN(len(toks))]
	}
	if r.IntN(3) == 0 {
		parts[n-1] = ">"
	}
	return strings.Join(parts, ".")
}

func TestRestrictIsExactlyTheIntersection(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	patterns := func(n int) []string {
		ps := make([]string, n)
		for i := range ps {
			ps[i] = randomPattern(r)
		}
		return ps
	}
	for range 500 {
		serverPatterns, granted := patterns(1+r.IntN(3)), patterns(r.IntN(4))
		server, grant := mustAllow(t, serverPatterns...), mustAllow(t, granted...)
		both := auth.GrantOf(granted...).Restrict(server)
		for range 20 {
			p := randomPattern(r)
			want := server.Permits(p) && grant.Permits(p)
			if got := both.Permits(p); got != want {
				t.Fatalf("server %q, grant %q: Restrict permits %q: %v, want %v (restricted to %q)",
					serverPatterns, granted, p, got, want, both.Patterns())
			}
		}
	}
}
