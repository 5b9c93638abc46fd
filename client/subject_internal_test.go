package client

import (
	"strings"
	"testing"
)

func TestCheckPattern(t *testing.T) {
	for _, p := range []string{"quotes.AAPL", "quotes.*", "quotes.>", "scores.*.g0042", ">", "a_b-c.D9"} {
		if err := CheckPattern(p); err != nil {
			t.Errorf("CheckPattern(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{"", "quotes.", ".quotes", "quotes..A", "quotes.AA*", "quotes.>.A", "quotes.A B",
		strings.Repeat("a.", 16) + "a", strings.Repeat("a", 257)} {
		if err := CheckPattern(p); err == nil {
			t.Errorf("CheckPattern(%q) = nil, want an error", p)
		}
	}
}

func TestMatches(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"quotes.AAPL", "quotes.AAPL", true},
		{"quotes.AAPL", "quotes.MSFT", false},
		{"quotes.*", "quotes.AAPL", true},
		{"quotes.*", "quotes", false},
		{"quotes.*", "quotes.A.B", false},
		{"quotes.>", "quotes.A.B", true},
		{"quotes.>", "quotes", false},
		{"scores.*.g1", "scores.nba.g1", true},
		{"scores.*.g1", "scores.nba.g2", false},
		{">", "anything.at.all", true},
	} {
		if got := matches(tt.p, tt.s); got != tt.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}
