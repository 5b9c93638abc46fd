package subscribe_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

var defaultAllow = []string{"quotes.>", "scores.>"}

func mustAllow(t testing.TB, patterns ...string) subscribe.Allow {
	t.Helper()
	a, err := subscribe.NewAllow(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNewAllow(t *testing.T) {
	in := []string{"quotes.>", "scores.>"}
	a := mustAllow(t, in...)
	in[0] = "changed"
	got := a.Patterns()
	if !slices.Equal(got, defaultAllow) {
		t.Errorf("Patterns() = %q, want %q (a copy of the input)", got, defaultAllow)
	}
	got[0] = "changed"
	if !slices.Equal(a.Patterns(), defaultAllow) {
		t.Error("Patterns() returned the Allow's own slice")
	}

	for _, bad := range []string{"", "quotes..>", "quotes.>.x", "quotes.a*"} {
		if _, err := subscribe.NewAllow([]string{"quotes.>", bad}); err == nil {
			t.Errorf("NewAllow accepts invalid pattern %q", bad)
		}
	}
	if _, err := subscribe.NewAllow(nil); err != nil {
		t.Errorf("NewAllow(nil) = %v, want nil", err)
	}
}

func TestAllowPermits(t *testing.T) {
	tests := []struct {
		name    string
		allow   []string
		pattern string
		want    bool
	}{
		{"subject under prefix", defaultAllow, "quotes.AAPL", true},
		{"star under prefix", defaultAllow, "quotes.*", true},
		{"same full wildcard", defaultAllow, "quotes.>", true},
		{"star then literal under prefix", defaultAllow, "quotes.*.x", true},
		{"second allowed pattern", defaultAllow, "scores.nba.*", true},
		{"deep subject under prefix", defaultAllow, "scores.nba.g0042", true},
		{"prefix itself", defaultAllow, "quotes", false},
		{"full wildcard alone", defaultAllow, ">", false},
		{"star alone", defaultAllow, "*", false},
		{"star before literal", defaultAllow, "*.AAPL", false},
		{"star then full wildcard", defaultAllow, "*.>", false},
		{"other prefix", defaultAllow, "orders.AAPL", false},
		{"prefix is case-sensitive", defaultAllow, "Quotes.AAPL", false},
		{"invalid pattern", defaultAllow, "quotes..X", false},
		{"nothing allowed", nil, "quotes.AAPL", false},

		{"allowed star covers literal", []string{"quotes.*"}, "quotes.AAPL", true},
		{"allowed star covers star", []string{"quotes.*"}, "quotes.*", true},
		{"allowed star does not cover full wildcard", []string{"quotes.*"}, "quotes.>", false},
		{"allowed star does not cover longer", []string{"quotes.*"}, "quotes.a.b", false},
		{"allowed literal does not cover star", []string{"quotes.AAPL"}, "quotes.*", false},
		{"allowed literal covers itself", []string{"quotes.AAPL"}, "quotes.AAPL", true},
		{"allowed full wildcard covers star then full wildcard", []string{"scores.>"}, "scores.*.>", true},
		{"allowed full wildcard everywhere", []string{">"}, "*.*.>", true},
		{"allowed star-star does not cover star-full", []string{"a.*.*"}, "a.*.>", false},
		{"allowed star in middle covers literal", []string{"scores.*.live"}, "scores.nba.live", true},
		{"allowed star in middle, other last", []string{"scores.*.live"}, "scores.nba.*", false},

		{"union covers full wildcard", []string{"a.*", "a.*.>"}, "a.>", true},
		{"union with a gap", []string{"a.*", "a.*.*.>"}, "a.>", false},
		{"union of literal and star", []string{"a.x", "a.*"}, "a.*", true},
		{"union of every length up to the limit", unionToLimit(), "a.>", true},
		{"union one length short of the limit", unionToLimit()[:14], "a.>", false},
		{"full wildcard at token 16 is one token", []string{tokens(15) + ".*"}, tokens(15) + ".>", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustAllow(t, tt.allow...)
			if got := a.Permits(tt.pattern); got != tt.want {
				t.Errorf("Allow%q.Permits(%q) = %v, want %v", tt.allow, tt.pattern, got, tt.want)
			}
		})
	}
}

// unionToLimit returns "a.*", "a.*.*", ... up to MaxTokens tokens.
func unionToLimit() []string {
	var out []string
	p := "a"
	for range subscribe.MaxTokens - 1 {
		p += ".*"
		out = append(out, p)
	}
	return out
}

func TestZeroAllowPermitsNothing(t *testing.T) {
	var a subscribe.Allow
	for _, p := range []string{"quotes.AAPL", ">", "*"} {
		if a.Permits(p) {
			t.Errorf("zero Allow permits %q", p)
		}
	}
}

func TestCheckSub(t *testing.T) {
	id := codec.IntID(7)
	holding := func(patterns ...string) func(string) bool {
		return func(p string) bool { return slices.Contains(patterns, p) }
	}
	tests := []struct {
		name     string
		maxSubs  int
		subjects []string
		held     func(string) bool
		count    int
		wantCode string // "" means nil
		wantMsg  string
	}{
		{name: "allowed subjects", subjects: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "invalid subject", subjects: []string{"quotes..X"},
			wantCode: subscribe.CodeBadSubject, wantMsg: `subject "quotes..X": empty token`},
		{name: "wildcard inside a token", subjects: []string{"quotes.a*"},
			wantCode: subscribe.CodeBadSubject, wantMsg: `subject "quotes.a*": wildcard '*' must be a whole token`},
		{name: "not allowed", subjects: []string{"orders.X"},
			wantCode: subscribe.CodeForbidden, wantMsg: `subject "orders.X": not allowed`},
		{name: "first failing subject decides: forbidden before invalid",
			subjects: []string{"quotes.AAPL", "orders.X", "quotes..X"},
			wantCode: subscribe.CodeForbidden, wantMsg: `subject "orders.X": not allowed`},
		{name: "first failing subject decides: invalid before forbidden",
			subjects: []string{"quotes..X", "orders.X"},
			wantCode: subscribe.CodeBadSubject, wantMsg: `subject "quotes..X": empty token`},
		{name: "first failing subject decides: limit before invalid",
			subjects: []string{"quotes.A", "quotes..X"}, count: 256,
			wantCode: subscribe.CodeTooManySubscriptions, wantMsg: `subject "quotes.A": more than 256 subscriptions`},
		{name: "256th subscription", subjects: []string{"quotes.A"}, count: 255},
		{name: "257th subscription", subjects: []string{"quotes.A"}, count: 256,
			wantCode: subscribe.CodeTooManySubscriptions, wantMsg: `subject "quotes.A": more than 256 subscriptions`},
		{name: "257th within one op", subjects: []string{"quotes.A", "quotes.B"}, count: 255,
			wantCode: subscribe.CodeTooManySubscriptions, wantMsg: `subject "quotes.B": more than 256 subscriptions`},
		{name: "held pattern does not count again", subjects: []string{"quotes.A"}, count: 256,
			held: holding("quotes.A")},
		{name: "repeat within the op does not count again", subjects: []string{"quotes.A", "quotes.A"}, count: 255},
		{name: "new pattern after held ones", subjects: []string{"quotes.A", "quotes.B"}, count: 256,
			held:     holding("quotes.A"),
			wantCode: subscribe.CodeTooManySubscriptions, wantMsg: `subject "quotes.B": more than 256 subscriptions`},
		{name: "custom limit", maxSubs: 2, subjects: []string{"quotes.A", "quotes.B", "quotes.C"},
			wantCode: subscribe.CodeTooManySubscriptions, wantMsg: `subject "quotes.C": more than 2 subscriptions`},
		{name: "long subject is cut in the message", subjects: []string{"quotes." + strings.Repeat("x", 300)},
			wantCode: subscribe.CodeBadSubject,
			wantMsg:  fmt.Sprintf("subject %q...: longer than 256 bytes", ("quotes." + strings.Repeat("x", 300))[:64])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := subscribe.Policy{Allow: mustAllow(t, defaultAllow...), MaxSubs: tt.maxSubs}
			err := p.CheckSub(subscribe.Op{Kind: subscribe.OpSub, ID: id, Subjects: tt.subjects}, tt.held, tt.count)
			checkPolicyErr(t, err, tt.wantCode, tt.wantMsg, id)
		})
	}
}

func TestZeroPolicyForbidsEverything(t *testing.T) {
	var p subscribe.Policy
	err := p.CheckSub(subscribe.Op{Kind: subscribe.OpSub, Subjects: []string{"quotes.AAPL"}}, nil, 0)
	checkPolicyErr(t, err, subscribe.CodeForbidden, `subject "quotes.AAPL": not allowed`, codec.ID{})
}

func TestCheckUnsub(t *testing.T) {
	id := codec.StringID("u1")
	tests := []struct {
		name     string
		subjects []string
		wantCode string
		wantMsg  string
	}{
		{name: "held or not, it is fine", subjects: []string{"quotes.AAPL"}},
		{name: "not allowed is fine", subjects: []string{"orders.X", ">"}},
		{name: "invalid subject", subjects: []string{"quotes.AAPL", "quotes..X"},
			wantCode: subscribe.CodeBadSubject, wantMsg: `subject "quotes..X": empty token`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := subscribe.Policy{Allow: mustAllow(t, defaultAllow...)}
			err := p.CheckUnsub(subscribe.Op{Kind: subscribe.OpUnsub, ID: id, Subjects: tt.subjects})
			checkPolicyErr(t, err, tt.wantCode, tt.wantMsg, id)
		})
	}
}

func checkPolicyErr(t *testing.T, err *subscribe.Error, code, msg string, id codec.ID) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("error %v, want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("nil error, want %s", code)
	}
	if err.Code != code || err.Msg != msg || err.ID != id {
		t.Errorf("error {%s %q id=%s}, want {%s %q id=%s}", err.Code, err.Msg, err.ID, code, msg, id)
	}
}
