package gateway

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestTheAcceptRateHalvesWhileGoroutinesWaitForACPUAndGrowsBackAfter(t *testing.T) {
	// AcceptRate 2000, burst 1000, target 20 ms: the step and floor are 100/s.
	const slow, fast = 50 * time.Millisecond, time.Millisecond
	tests := []struct {
		name      string
		windows   []time.Duration // the p99 of each window, 1000 events each
		wantRate  float64
		wantBurst int
	}{
		{"stays at the rate while fast", []time.Duration{fast, fast}, 2000, 1000},
		{"halves in a slow window", []time.Duration{slow}, 1000, 500},
		{"halves again in the next", []time.Duration{slow, slow, slow}, 250, 125},
		{"never below a twentieth", []time.Duration{slow, slow, slow, slow, slow, slow, slow}, 100, 50},
		{"grows back by a twentieth a window", []time.Duration{slow, slow, fast, fast}, 700, 350},
		{"back at the rate, not beyond", append([]time.Duration{slow}, repeat(fast, 30)...), 2000, 1000},
		{"at the target is not slow", []time.Duration{20 * time.Millisecond}, 2000, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var next time.Duration
			a := &adaptiveRate{max: 2000, burst: 1000, target: 20 * time.Millisecond, rate: 2000,
				p99: func() (time.Duration, uint64) { return next, 1000 }}
			now := time.Unix(1_800_000_000, 0)
			var rate float64
			var burst int
			for _, w := range tt.windows {
				now = now.Add(pressureWindow)
				next = w
				var ok bool
				if rate, burst, ok = a.next(now); !ok {
					t.Fatal("no new rate a window later")
				}
				if _, _, ok = a.next(now.Add(pressureWindow / 2)); ok {
					t.Fatal("a new rate within the window")
				}
			}
			if rate != tt.wantRate || burst != tt.wantBurst {
				t.Errorf("rate %v burst %d, want %v and %d", rate, burst, tt.wantRate, tt.wantBurst)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestAFewSlowWakeUpsOfAnIdleGatewayDoNotCutItsRate(t *testing.T) {
	a := &adaptiveRate{max: 2000, burst: 1000, target: 20 * time.Millisecond, rate: 2000,
		p99: func() (time.Duration, uint64) { return time.Second, pressureMinEvents - 1 }}
	if rate, _, _ := a.next(time.Unix(1_800_000_000, 0)); rate != 2000 {
		t.Errorf("rate %v after %d slow events, want 2000", rate, pressureMinEvents-1)
	}
}

func TestTheAcceptLimiterRefusesAtTheAdaptedRateAndShowsIt(t *testing.T) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "ticker_accept_rate_limit"})
	a := newAcceptLimiter(2000, 1000, 20*time.Millisecond, g)
	if a.adaptive == nil {
		t.Skip("this Go runtime has no " + schedLatencies)
	}
	a.adaptive.p99 = func() (time.Duration, uint64) { return time.Second, 1000 }
	now := time.Unix(1_800_000_000, 0)
	a.adaptive.at = now
	now = now.Add(pressureWindow)
	// The first allow of the window halves the burst to 500.
	taken := 0
	for range 1000 {
		if ok, _ := a.allow(now); ok {
			taken++
		}
	}
	_, hint := a.allow(now)
	if taken != 500 || testutil.ToFloat64(g) != 1000 || hint != time.Second {
		t.Errorf("taken %d of 1000 at once, gauge %v, hint %v; want 500, 1000, 1s", taken, testutil.ToFloat64(g), hint)
	}
}

func TestTheSchedulingLatencyIsReadWindowByWindow(t *testing.T) {
	s := newSchedLatency()
	if s == nil {
		t.Skip("this Go runtime has no " + schedLatencies)
	}
	// Goroutines that wake one another are scheduled events.
	var wg sync.WaitGroup
	ch := make(chan int)
	for range 4 {
		wg.Go(func() {
			for range ch {
				runtime.Gosched()
			}
		})
	}
	for i := range 1000 {
		ch <- i
	}
	close(ch)
	wg.Wait()
	p99, n := s.p99()
	if n == 0 || p99 <= 0 {
		t.Errorf("p99 %v of %d events after 1000 wake-ups, want some", p99, n)
	}
}

func TestANegativeAcceptLatencyKeepsTheRate(t *testing.T) {
	l := Limits{AcceptLatency: -1}.withDefaults()
	a := newAcceptLimiter(l.AcceptRate, l.AcceptBurst, l.AcceptLatency, prometheus.NewGauge(prometheus.GaugeOpts{Name: "g"}))
	if a.adaptive != nil {
		t.Error("the rate adapts with a negative AcceptLatency")
	}
	if d := (Limits{}).withDefaults().AcceptLatency; d != 20*time.Millisecond {
		t.Errorf("default AcceptLatency %v, want 20ms", d)
	}
}
