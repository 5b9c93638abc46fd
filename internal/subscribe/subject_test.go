package subscribe_test

import (
	"strings"
	"testing"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// tokens returns n tokens "a" joined by dots.
func tokens(n int) string { return strings.TrimSuffix(strings.Repeat("a.", n), ".") }

func TestValidateSubject(t *testing.T) {
	tests := []struct {
		name, subject, wantErr string // wantErr "" means valid
	}{
		{"quote", "quotes.AAPL", ""},
		{"score", "scores.nba.g0042", ""},
		{"one token", "quotes", ""},
		{"underscore and dash", "a_b.c-d.09", ""},
		{"16 tokens", tokens(16), ""},
		{"256 bytes", strings.Repeat("x", 256), ""},
		{"empty", "", "empty"},
		{"empty token in the middle", "quotes..X", "empty token"},
		{"leading dot", ".quotes", "empty token"},
		{"trailing dot", "quotes.", "empty token"},
		{"only a dot", ".", "empty token"},
		{"space", "quotes.A B", "invalid character ' '"},
		{"non-ASCII", "quotes.É", "invalid character 'É'"},
		{"invalid UTF-8", "quotes.\xff", "invalid byte 0xff"},
		{"NUL", "quotes.\x00", `invalid character '\x00'`},
		{"17 tokens", tokens(17), "more than 16 tokens"},
		{"257 bytes", strings.Repeat("x", 257), "longer than 256 bytes"},
		{"star", "quotes.*", "wildcard '*' not allowed in a subject"},
		{"full wildcard", "quotes.>", "wildcard '>' not allowed in a subject"},
		{"full wildcard in the middle", "quotes.>.x", "wildcard '>' not allowed in a subject"},
		{"star inside a token", "quotes.a*", "wildcard '*' not allowed in a subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, subscribe.ValidateSubject(tt.subject), tt.wantErr)
		})
	}
}

func TestValidatePattern(t *testing.T) {
	tests := []struct {
		name, pattern, wantErr string // wantErr "" means valid
	}{
		{"literal", "quotes.AAPL", ""},
		{"star", "quotes.*", ""},
		{"full wildcard", "quotes.>", ""},
		{"only star", "*", ""},
		{"only full wildcard", ">", ""},
		{"stars and full wildcard", "*.*.>", ""},
		{"star in the middle", "scores.*.g1", ""},
		{"16 tokens ending in full wildcard", tokens(15) + ".>", ""},
		{"empty", "", "empty"},
		{"empty token", "quotes..X", "empty token"},
		{"leading dot", ".>", "empty token"},
		{"trailing dot", "quotes.*.", "empty token"},
		{"space", "quotes.A B", "invalid character ' '"},
		{"17 tokens", tokens(16) + ".>", "more than 16 tokens"},
		{"257 bytes", strings.Repeat("x", 255) + ".>", "longer than 256 bytes"},
		{"full wildcard in the middle", "quotes.>.x", "'>' must be the last token"},
		{"star inside a token", "quotes.a*", "wildcard '*' must be a whole token"},
		{"full wildcard inside a token", "quotes.a>", "wildcard '>' must be a whole token"},
		{"double star", "quotes.**", "wildcard '*' must be a whole token"},
		{"double full wildcard", "quotes.>>", "wildcard '>' must be a whole token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, subscribe.ValidatePattern(tt.pattern), tt.wantErr)
		})
	}
}

func TestValidSubjectIsValidPattern(t *testing.T) {
	for _, s := range []string{"quotes.AAPL", "scores.nba.g0042", tokens(16)} {
		if err := subscribe.ValidatePattern(s); err != nil {
			t.Errorf("ValidatePattern(%q) = %v, want nil", s, err)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"quotes", 1},
		{"quotes.AAPL", 2},
		{"scores.*.>", 3},
		{tokens(17), 17},
	}
	for _, tt := range tests {
		if got := subscribe.Tokens(tt.s); got != tt.want {
			t.Errorf("Tokens(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("error %q, want nil", err)
	case want != "" && err == nil:
		t.Errorf("nil error, want %q", want)
	case want != "" && err.Error() != want:
		t.Errorf("error %q, want %q", err, want)
	}
}
