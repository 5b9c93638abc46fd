package gateway

import (
	"math"
	"runtime/metrics"
	"time"
)

// The accept rate follows the CPU the gateway gets. Every pressureWindow it
// reads how long its runnable goroutines waited for a CPU (the Go runtime's
// /sched/latencies:seconds) and, when the 99th percentile of that window is
// above Limits.AcceptLatency, halves the rate and the burst at which it
// takes new connections; below it, it adds back a twentieth of AcceptRate
// per window, up to AcceptRate. A reconnect storm that would take the CPU
// from the deliveries of the clients a gateway holds is so turned away with
// 1013 and a hint sized by the rate of the moment, and the storm's clients
// come back spread over the time the gateway needs (the way TCP's
// congestion window follows delay, and Netflix's concurrency-limits follow
// latency).

const (
	// pressureWindow is how often the rate is adapted.
	pressureWindow = 100 * time.Millisecond
	// pressureMinEvents is the fewest scheduling events that say something
	// about a window; an idle gateway's few wake-ups do not cut its rate.
	// The runtime records about one goroutine wake-up in 8: a gateway of
	// 15,000 connections at one update a second each records some 20 in a
	// window, a few hundred in a reconnect storm.
	pressureMinEvents = 10
	// rateShare is the step of the adapted rate (AcceptRate/rateShare up
	// per window) and its floor (never below AcceptRate/rateShare).
	rateShare = 20
)

// schedLatency reads the scheduling latencies of the Go runtime window by
// window.
type schedLatency struct {
	sample []metrics.Sample
	prev   []uint64 // the counts of the last read, bucket by bucket
}

const schedLatencies = "/sched/latencies:seconds"

// newSchedLatency starts reading at now; nil if the runtime has no such
// metric.
func newSchedLatency() *schedLatency {
	s := &schedLatency{sample: []metrics.Sample{{Name: schedLatencies}}}
	metrics.Read(s.sample)
	if s.sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	s.prev = append(s.prev, s.sample[0].Value.Float64Histogram().Counts...)
	return s
}

// p99 is the 99th percentile of the latencies since the last call (the
// upper bound of its bucket), and how many there were.
func (s *schedLatency) p99() (time.Duration, uint64) {
	metrics.Read(s.sample)
	h := s.sample[0].Value.Float64Histogram()
	var n uint64
	for i, c := range h.Counts {
		n += c - s.prev[i]
	}
	var at time.Duration
	if n > 0 {
		rank, seen := n-n/100, uint64(0) // the 99th percentile's rank, from 1
		for i, c := range h.Counts {
			if seen += c - s.prev[i]; seen >= rank {
				at = bucketBound(h.Buckets, i)
				break
			}
		}
	}
	copy(s.prev, h.Counts)
	return at, n
}

// bucketBound is the upper bound of bucket i of a runtime/metrics
// histogram, its lower one when that is infinite.
func bucketBound(bounds []float64, i int) time.Duration {
	b := bounds[i+1]
	if math.IsInf(b, 1) {
		b = bounds[i]
	}
	return time.Duration(b * float64(time.Second))
}

// adaptiveRate is the rate and burst an acceptLimiter allows now, from the
// scheduling latency of the last window.
type adaptiveRate struct {
	max    float64 // Limits.AcceptRate
	burst  int     // Limits.AcceptBurst
	target time.Duration
	// p99 is the scheduling latency of the window that ended, and how
	// many events it holds: schedLatency.p99.
	p99  func() (time.Duration, uint64)
	at   time.Time // when the rate was last adapted
	rate float64
}

// next is the rate and burst for the window that starts at now; ok is false
// while the window of the last one runs.
func (a *adaptiveRate) next(now time.Time) (rate float64, burst int, ok bool) {
	if now.Sub(a.at) < pressureWindow {
		return 0, 0, false
	}
	a.at = now
	p99, n := a.p99()
	step := a.max / rateShare
	if n >= pressureMinEvents && p99 > a.target {
		a.rate = max(a.rate/2, step)
	} else {
		a.rate = min(a.rate+step, a.max)
	}
	return a.rate, max(1, int(float64(a.burst)*a.rate/a.max)), true
}
