package app

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ticker-dev/ticker/internal/codec"
)

// The soak's shape. The seed makes every client's ops the same on every run.
const (
	soakDefault  = 30 * time.Second
	soakHealthy  = 50 // half JSON, half msgpack
	soakStalled  = 4
	soakSeed     = 20240601
	soakOutage   = time.Second
	soakPerTick  = 3 // every 10ms: 300 updates/s over soakSubjects
	soakMaxQueue = 32 << 10
	soakBulk     = 2 // every 10ms, bulk.0 and bulk.1: 1.6 MB/s for the stalled clients
)

// soakDuration is TICKER_SOAK (a Go duration, e.g. TICKER_SOAK=2m, as CI
// sets it), or 30 s.
func soakDuration(t *testing.T) time.Duration {
	env := os.Getenv("TICKER_SOAK")
	if env == "" {
		return soakDefault
	}
	d, err := time.ParseDuration(env)
	if err != nil || d <= 0 {
		t.Fatalf("TICKER_SOAK=%q: want a positive duration such as 2m", env)
	}
	return d
}

// TestSoakChurnStalledClientsAndANATSRestartLeaveTheGatewayClean runs one
// gateway on a nats-server process for TICKER_SOAK (default 30 s; CI sets
// 2m), under -race: 50 clients of both codecs subscribe, unsubscribe and ping
// at random (seeded) while 300 updates/s are published; 4 clients subscribe
// to everything, and to 200 large (8 KiB) updates/s that only they hold, and
// never read; halfway NATS is killed and, a second later, restarted.
//
// Every op of a healthy client is answered; what they receive keeps the
// protocol (see watcher: live seqs increase per subject, gaps allowed for
// conflation and the outage; no update of a pattern not held; no error
// reply); the stalled clients, and only they, are closed as slow consumers
// (1008); the gateway is ready again and delivers to every healthy client at
// the end. Once the clients leave, the gateway's connection and subscription
// gauges are back to 0, and once everything is shut down, so is the
// goroutine count (goleak).
func TestSoakChurnStalledClientsAndANATSRestartLeaveTheGatewayClean(t *testing.T) {
	baseline, goroutines := goleak.IgnoreCurrent(), runtime.NumGoroutine()
	t.Cleanup(func() { // runs last, after every other cleanup has shut something down
		goleak.VerifyNone(t, baseline)
		t.Logf("goroutines: %d before, %d after", goroutines, runtime.NumGoroutine())
	})
	d := soakDuration(t)
	ns := startNATSProcess(t)
	a := startApp(t, func(c *Config) {
		c.NATSURL = ns.url()
		c.Allow = append(c.Allow, "bulk.>")
		c.MaxQueueBytes = soakMaxQueue
		c.SlowTimeout = 2 * time.Second // short for the stalled, long for a healthy client on a busy machine
	})
	waitUntil(t, 20*time.Second, "readiness", func() bool { return status(a, "/readyz") == http.StatusOK })

	churners := make([]*churner, soakHealthy)
	for i := range churners {
		k := []codec.Kind{codec.JSON, codec.Msgpack}[i%2]
		churners[i] = &churner{w: watch(t, a, k, fmt.Sprintf("%s client %d", k, i)),
			rng: rand.New(rand.NewPCG(soakSeed, uint64(i))), patterns: soakPatterns()}
	}
	for i := range soakStalled {
		stall(t, a, []codec.Kind{codec.JSON, codec.Msgpack}[i%2])
	}
	tr := startTraffic(t, ns.url(), soakSubjects(), soakPerTick, 10*time.Millisecond)
	bulk := startTraffic(t, ns.url(), []string{"bulk.0", "bulk.1"}, soakBulk, 10*time.Millisecond)

	stop := make(chan struct{})
	errs := make([]error, len(churners))
	var wg sync.WaitGroup
	for i, c := range churners {
		wg.Go(func() { errs[i] = c.run(stop) })
	}
	stopChurn := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopChurn) // also when the test fails halfway
	start := time.Now()
	time.Sleep(d / 2)

	ns.down()
	lost := time.Now()
	waitUntil(t, 20*time.Second, "/readyz to answer 503", func() bool { return status(a, "/readyz") == http.StatusServiceUnavailable })
	time.Sleep(soakOutage)
	back := time.Now()
	for _, c := range churners {
		c.w.markResume(back)
	}
	ns.up()
	ready := waitUntil(t, 30*time.Second, "/readyz to answer 200 again", func() bool { return status(a, "/readyz") == http.StatusOK })
	t.Logf("NATS away for %v; ready %v after it returned", back.Sub(lost).Round(time.Millisecond), ready.Round(time.Millisecond))

	time.Sleep(time.Until(start.Add(d)))
	stopChurn()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	var resumed []time.Duration // by client, the first update after NATS returned
	for _, c := range churners {
		if at := c.w.firstResumed(); !at.IsZero() {
			resumed = append(resumed, at.Sub(back))
		}
	}
	slices.Sort(resumed)
	if len(resumed) > 0 {
		t.Logf("first update after NATS returned: %v on the quickest client, median %v (%d clients; the slowest held nothing then)",
			resumed[0].Round(time.Millisecond), resumed[len(resumed)/2].Round(time.Millisecond), len(resumed))
	}

	soakEnd(t, a, churners, tr, bulk)
}

// soakEnd checks the end of a soak whose churn has stopped: every healthy
// client still receives every subject; the stalled ones were closed as slow
// consumers; and once the clients leave, the gauges are back to 0.
func soakEnd(t *testing.T, a *App, churners []*churner, tr, bulk *traffic) {
	now := time.Now()
	subjects := soakSubjects()
	for _, c := range churners {
		c.w.markResume(now)
		if err := c.w.do(op{kind: "sub", id: "final", patterns: []string{"quotes.>", "scores.>"}}); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, 30*time.Second, "an update of every subject on every healthy client", func() bool {
		for _, c := range churners {
			for _, s := range subjects {
				if c.w.resumedAt(s).IsZero() {
					return false
				}
			}
		}
		return true
	})
	tr.stop()
	t.Logf("published %d updates, %d failed while NATS was away", tr.published.Load(), tr.failed.Load())

	// A slow consumer is counted when the gateway decides to close it, and
	// its connection when the close is done.
	slow := func() (decided, closed float64) {
		return metricSum(t, a, "ticker_slow_consumer_disconnects_total"), metricSum(t, a, `ticker_connections_closed_total{code="1008"}`)
	}
	took := waitUntil(t, 30*time.Second, "the stalled clients to be closed as slow consumers", func() bool {
		decided, closed := slow()
		return decided >= soakStalled && closed >= soakStalled
	})
	bulk.stop()
	if decided, closed := slow(); decided != soakStalled || closed != soakStalled {
		t.Errorf("%v slow consumers, %v connections closed with 1008; want %d: only the stalled clients are slow", decided, closed, soakStalled)
	}
	t.Logf("the %d stalled clients closed as slow consumers (waited %v for them at the end)", soakStalled, took.Round(time.Millisecond))
	if got := status(a, "/readyz"); got != http.StatusOK {
		t.Errorf("/readyz answered %d at the end, want 200", got)
	}

	ops := map[string]int{}
	var updates, gaps, repeats int
	for _, c := range churners {
		c.w.verify(t)
		for k, n := range c.ops {
			ops[k] += n
		}
		u, g, r := c.w.counts()
		updates, gaps, repeats = updates+u, gaps+g, repeats+r
	}
	t.Logf("healthy clients: ops %v, %d updates received, %d after a gap (conflation, the outage, or a time unsubscribed), %d repeating a snapshot",
		ops, updates, gaps, repeats)

	for _, c := range churners {
		c.w.close()
	}
	gauges := []string{"ticker_connections", "ticker_subscriptions", "ticker_nats_subscriptions"}
	waitUntil(t, 30*time.Second, fmt.Sprintf("%v to return to 0", gauges), func() bool {
		for _, g := range gauges {
			if metricSum(t, a, g) != 0 {
				return false
			}
		}
		return true
	})
}
