package client

import (
	"testing"
	"time"
)

func TestDelaysFollowTheCloseCode(t *testing.T) {
	b := Backoff{}.withDefaults()
	top := func() float64 { return 0.999999 }
	for _, tt := range []struct {
		name    string
		code    int
		reason  string
		attempt int
		max     time.Duration
		min     time.Duration
	}{
		{"going away: at once, whatever the attempt", StatusGoingAway, "", 9, time.Second, 0},
		{"first failure", StatusAbnormal, "", 0, 500 * time.Millisecond, 0},
		{"third failure", StatusAbnormal, "", 2, 2 * time.Second, 0},
		{"capped", StatusAbnormal, "", 40, 15 * time.Second, 0},
		{"slow consumer: the floor on top", StatusPolicyViolation, "slow consumer", 0, 5500 * time.Millisecond, 5 * time.Second},
		{"connection limit: the floor on top", StatusTryAgainLater, "", 1, 6 * time.Second, 5 * time.Second},
		{"token expired: no floor, a new token is on its way", StatusPolicyViolation, "token expired", 0, 500 * time.Millisecond, 0},
		{"refused with a hint: full jitter over the hint, no floor", StatusTryAgainLater, "try again later: too many new connections; retry after 2500ms", 0, 2500 * time.Millisecond, 0},
		{"refused with a hint below the ceiling: the ceiling", StatusTryAgainLater, "try again later: connection limit reached; retry after 1000ms", 3, 4 * time.Second, 0},
		{"refused with a hint above the cap: the hint", StatusTryAgainLater, "retry after 60000ms", 40, time.Minute, 0},
		{"refused with a hint beyond reason: clamped", StatusTryAgainLater, "retry after 86400000ms", 0, time.Minute, 0},
		{"refused without a readable hint: the floor on top", StatusTryAgainLater, "retry after soon", 1, 6 * time.Second, 5 * time.Second},
		{"a hint on 1008 is not read: the floor on top", StatusPolicyViolation, "rate limit exceeded; retry after 100ms", 0, 5500 * time.Millisecond, 5 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hi := b.delay(tt.code, tt.reason, tt.attempt, top)
			lo := b.delay(tt.code, tt.reason, tt.attempt, func() float64 { return 0 })
			if hi > tt.max || hi < tt.max*99/100 || lo != tt.min {
				t.Errorf("delay in [%v, %v], want [%v, %v]", lo, hi, tt.min, tt.max)
			}
		})
	}
}

func TestOnlyAuthAndOriginRefusalsAreFinal(t *testing.T) {
	for _, tt := range []struct {
		code       int
		reason     string
		canRefresh bool
		final      bool
	}{
		{StatusPolicyViolation, "invalid token", true, true},
		{StatusPolicyViolation, "missing token", false, true},
		{StatusPolicyViolation, "origin not allowed", false, true},
		{StatusPolicyViolation, "token expired", false, true},
		{StatusPolicyViolation, "token expired", true, false},
		{StatusPolicyViolation, "slow consumer", false, false},
		{StatusPolicyViolation, "idle: no subscriptions", false, false},
		{StatusGoingAway, "draining, reconnect elsewhere", false, false},
		{StatusTryAgainLater, "", false, false},
		{StatusAbnormal, "dial: connection refused", false, false},
		{StatusNormal, "", false, false},
	} {
		if got := final(&CloseError{Code: tt.code, Reason: tt.reason}, tt.canRefresh); got != tt.final {
			t.Errorf("final(%d %q, refresh %v) = %v, want %v", tt.code, tt.reason, tt.canRefresh, got, tt.final)
		}
	}
}
