package client

import (
	"testing"
	"time"
)

func TestTheRetryHintIsReadFromTheEndOfTheReason(t *testing.T) {
	for _, tt := range []struct {
		reason string
		hint   time.Duration
		ok     bool
	}{
		{"try again later: too many new connections; retry after 2500ms", 2500 * time.Millisecond, true},
		{"try again later: connection limit reached; retry after 1000ms", time.Second, true},
		{"retry after 0ms", 0, true},
		{"retry after 1000ms ", time.Second, true},
		{"HTTP 503; retry after 3000ms", 3 * time.Second, true},
		{"retry after 61000ms", maxRetryHint, true},
		{"retry after 99999999999999999999999ms", maxRetryHint, true},
		{"try again later: connection limit reached", 0, false},
		{"", 0, false},
		{"retry after ms", 0, false},
		{"retry after -5ms", 0, false},
		{"retry after 5s", 0, false},
		{"retry after 1e3ms", 0, false},
		{"retry after 2500ms, or later", 0, false},
		{"retry after  2500ms", 0, false},
		{"retry after 0x10ms", 0, false},
	} {
		hint, ok := retryHint(tt.reason)
		if hint != tt.hint || ok != tt.ok {
			t.Errorf("retryHint(%q) = %v, %v; want %v, %v", tt.reason, hint, ok, tt.hint, tt.ok)
		}
	}
}

func TestRetryAfterIsReadInWholeSeconds(t *testing.T) {
	for _, tt := range []struct {
		header string
		hint   time.Duration
		ok     bool
	}{
		{"3", 3 * time.Second, true},
		{" 1 ", time.Second, true},
		{"120", maxRetryHint, true},
		{"", 0, false},
		{"1.5", 0, false},
		{"-1", 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, false},
	} {
		hint, ok := retryAfterHeader(tt.header)
		if hint != tt.hint || ok != tt.ok {
			t.Errorf("retryAfterHeader(%q) = %v, %v; want %v, %v", tt.header, hint, ok, tt.hint, tt.ok)
		}
	}
}

func TestAnHTTPRefusalReadsAsA1013Reason(t *testing.T) {
	hint, ok := retryHint(hintReason(503, 4*time.Second))
	if !ok || hint != 4*time.Second {
		t.Errorf("the reason of an HTTP refusal with a 4 s hint reads as %v, %v", hint, ok)
	}
}

func FuzzRetryHint(f *testing.F) {
	for _, s := range []string{
		"try again later: too many new connections; retry after 2500ms",
		"retry after 99999999999999999999ms", "retry after ms", "retry after 5ms ms", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reason string) {
		hint, ok := retryHint(reason)
		if hint < 0 || hint > maxRetryHint || (!ok && hint != 0) {
			t.Fatalf("retryHint(%q) = %v, %v", reason, hint, ok)
		}
		if h, ok := retryAfterHeader(reason); h < 0 || h > maxRetryHint || (!ok && h != 0) {
			t.Fatalf("retryAfterHeader(%q) = %v, %v", reason, h, ok)
		}
	})
}

func TestRefusedAndDrainedClientsMoveToAnotherURLAtRandom(t *testing.T) {
	draws := func(r float64) func() float64 { return func() float64 { return r } }
	for _, tt := range []struct {
		name         string
		cur, n, code int
		random       float64
		want         int
	}{
		{"one URL: always it", 0, 1, StatusTryAgainLater, 0.9, 0},
		{"two URLs, refused: the other", 1, 2, StatusTryAgainLater, 0.9, 0},
		{"drained: the lowest draw takes the first other", 0, 4, StatusGoingAway, 0, 1},
		{"drained: a middle draw skips the drained one", 1, 4, StatusGoingAway, 0.4, 2},
		{"refused: the top draw takes the last", 3, 4, StatusTryAgainLater, 0.999999, 2},
		{"refused: a draw of 1 stays in range", 0, 3, StatusTryAgainLater, 1, 2},
		{"lost: the next in turn", 1, 4, StatusAbnormal, 0.9, 2},
		{"lost at the end: around to the first", 3, 4, StatusAbnormal, 0.9, 0},
		{"slow consumer: the next in turn", 0, 3, StatusPolicyViolation, 0.9, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextURL(tt.cur, tt.n, tt.code, draws(tt.random)); got != tt.want {
				t.Errorf("nextURL(%d of %d, %d, draw %v) = %d, want %d", tt.cur, tt.n, tt.code, tt.random, got, tt.want)
			}
		})
	}
}

func TestRefusedClientsSpreadOverEveryOtherURL(t *testing.T) {
	seen := map[int]int{}
	for k := range 100 {
		draw := func() float64 { return float64(k) / 100 }
		seen[nextURL(2, 5, StatusGoingAway, draw)]++
	}
	for i := range 5 {
		if want := map[bool]int{true: 0, false: 25}[i == 2]; seen[i] != want {
			t.Errorf("URL %d taken by %d of 100 evenly spread draws, want %d", i, seen[i], want)
		}
	}
}
