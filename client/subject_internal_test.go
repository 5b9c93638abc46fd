package client

import (
	"fmt"
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

func TestSubscribeOptionsGoIntoTheSubOp(t *testing.T) {
	r := newRegistry()
	rec := r.add([]string{"quotes.B", "quotes.A", "quotes.B"}, SubscribeOptions{MaxRate: 5, Delta: true})
	plain := r.add([]string{"scores.>"}, SubscribeOptions{})
	ops := r.subOps([]*record{rec, plain}, true)
	if len(ops) != 4 { // two sub ops (the options differ), each with its barrier ping
		t.Fatalf("ops %+v", ops)
	}
	first, second := ops[0].encode(), ops[2].encode()
	if first["op"] != "sub" || first["max_rate"] != 5.0 || first["delta"] != true || fmt.Sprint(first["subjects"]) != "[quotes.A quotes.B]" {
		t.Errorf("sub op with options: %v", first)
	}
	if _, ok := second["max_rate"]; ok || second["delta"] != nil || ops[1].encode()["op"] != "ping" {
		t.Errorf("sub op without options: %v, then %v", second, ops[1].encode())
	}
}
