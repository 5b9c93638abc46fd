package gateway

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestTheRetryHintIsTheTimeTheRefusedTakeAtTheAcceptRate(t *testing.T) {
	tests := []struct {
		name      string
		refused   int
		perSecond float64
		want      time.Duration
	}{
		{"never sooner than a second", 1, 2000, time.Second},
		{"a storm of 17,000 at 2000/s", 17000, 2000, 8500 * time.Millisecond},
		{"rounded up to the millisecond", 2001, 2000, 1001 * time.Millisecond},
		{"capped", 1_000_000, 2000, maxRetryHint},
		{"a slow rate", 3, 0.01, maxRetryHint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryHint(tt.refused, tt.perSecond); got != tt.want {
				t.Fatalf("retryHint(%d, %v) = %v, want %v", tt.refused, tt.perSecond, got, tt.want)
			}
		})
	}
}

func TestTheAcceptLimiterCountsTheRefusedOfTheLastTwoSeconds(t *testing.T) {
	a := newAcceptLimiter(1000, 10, 0, prometheus.NewGauge(prometheus.GaugeOpts{Name: "g"}))
	now := time.Unix(1_800_000_000, 0)
	for i := range 10 {
		if ok, _ := a.allow(now); !ok {
			t.Fatalf("connection %d of the burst refused", i)
		}
	}
	var hint time.Duration
	for range 3000 {
		var ok bool
		if ok, hint = a.allow(now); ok {
			t.Fatal("taken past the burst")
		}
	}
	if hint != 3*time.Second {
		t.Fatalf("hint after 3000 refused at 1000/s: %v, want 3s", hint)
	}
	// A second later the bucket has refilled by 1000: the burst of 10 is
	// taken, and the next refusals still count those of the last second.
	now = now.Add(time.Second)
	for range 10 {
		a.allow(now)
	}
	if _, hint = a.allow(now); hint != 3001*time.Millisecond {
		t.Fatalf("hint a second later: %v, want 3.001s", hint)
	}
	// Once the storm is two seconds old, its refusals no longer count.
	now = now.Add(2 * time.Second)
	for range 10 {
		a.allow(now)
	}
	if _, hint = a.allow(now); hint != time.Second {
		t.Fatalf("hint after the storm: %v, want the floor of 1s", hint)
	}
}

func TestNoAcceptRateRefusesNothing(t *testing.T) {
	a := newAcceptLimiter(-1, 1, 0, prometheus.NewGauge(prometheus.GaugeOpts{Name: "g"}))
	for range 100 {
		if ok, _ := a.allow(time.Now()); !ok {
			t.Fatal("refused without a limit")
		}
	}
}
