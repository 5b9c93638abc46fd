package gateway

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Admission under a reconnect storm: a gateway takes new connections at the
// rate it can serve (Limits.AcceptRate, with a burst of AcceptBurst) and
// answers the rest at once, a WebSocket with 1013 and an SSE request with
// 503, both with a hint of when to come back. The clients wait a uniformly
// random time up to the hint (full jitter), so a storm of refused clients
// comes back spread over the time the gateway needs to take them, instead of
// timing out in a handshake queue.

// Hints of when to come back, in the reason of a 1013 and in Retry-After.
const (
	// minRetryHint is the shortest hint: a client is not told to come back
	// sooner than a second.
	minRetryHint = time.Second
	// maxRetryHint caps the hint of a long storm.
	maxRetryHint = 60 * time.Second
	// fullRetryHint is the hint of a gateway at its connection limit, which
	// does not know when a slot frees.
	fullRetryHint = 5 * time.Second
)

// acceptLimiter is the token bucket of new connections, and the count of the
// connections it refused lately, which sizes the hint.
type acceptLimiter struct {
	lim   *rate.Limiter // nil: no limit
	gauge prometheus.Gauge

	mu       sync.Mutex
	adaptive *adaptiveRate // nil: the rate stays (see pressure.go)
	second   int64         // the Unix second refusals[0] counts
	refused  [2]int
}

// newAcceptLimiter takes perSecond connections, burst at once; target is the
// scheduling latency past which it takes fewer (see pressure.go), 0 for
// none. gauge shows the rate of the moment.
func newAcceptLimiter(perSecond float64, burst int, target time.Duration, gauge prometheus.Gauge) *acceptLimiter {
	a := &acceptLimiter{gauge: gauge}
	if perSecond <= 0 || burst <= 0 {
		return a
	}
	a.lim = rate.NewLimiter(rate.Limit(perSecond), burst)
	gauge.Set(perSecond)
	if target <= 0 {
		return a
	}
	if sched := newSchedLatency(); sched != nil {
		a.adaptive = &adaptiveRate{max: perSecond, burst: burst, target: target, p99: sched.p99, rate: perSecond}
	}
	return a
}

// adapt sets the rate and burst of the window that starts at now, once a
// window.
func (a *acceptLimiter) adapt(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.adaptive == nil {
		return
	}
	if r, b, ok := a.adaptive.next(now); ok {
		a.lim.SetLimitAt(now, rate.Limit(r))
		a.lim.SetBurstAt(now, b)
		a.gauge.Set(r)
	}
}

// allow reports whether one more connection may be taken now, and when it
// may not, how long the clients refused lately need to be taken at the
// accept rate: the hint given to this one.
func (a *acceptLimiter) allow(now time.Time) (bool, time.Duration) {
	if a.lim == nil {
		return true, 0
	}
	a.adapt(now)
	if a.lim.AllowN(now, 1) {
		return true, 0
	}
	a.mu.Lock()
	switch sec := now.Unix(); {
	case sec == a.second:
	case sec == a.second+1:
		a.second, a.refused = sec, [2]int{0, a.refused[0]}
	default:
		a.second, a.refused = sec, [2]int{}
	}
	a.refused[0]++
	lately := a.refused[0] + a.refused[1]
	a.mu.Unlock()
	return false, retryHint(lately, float64(a.lim.Limit()))
}

// retryHint is the time refused connections take at perSecond, within
// [minRetryHint, maxRetryHint], rounded up to the millisecond.
func retryHint(refused int, perSecond float64) time.Duration {
	d := time.Duration(math.Ceil(float64(refused) / perSecond * 1000))
	return min(max(d*time.Millisecond, minRetryHint), maxRetryHint)
}

// retryReason is the reason of a 1013: why, and the hint in the form
// clients read (docs/protocol.md): it ends with "retry after <ms>ms".
func retryReason(why string, hint time.Duration) string {
	return fmt.Sprintf("try again later: %s; retry after %dms", why, hint.Milliseconds())
}

// refuseStorm is the refusal of a connection beyond the accept rate.
func refuseStorm(hint time.Duration) *refusal {
	return &refusal{reason: rejectAcceptRate, status: http.StatusServiceUnavailable, code: closecode.TryAgainLater,
		errCode: subscribe.CodeForbidden, msg: retryReason("too many new connections", hint), retryAfter: hint}
}

// setRetryAfter puts a refusal's hint, if it has one, in the Retry-After
// header, in whole seconds rounded up (RFC 9110).
func setRetryAfter(w http.ResponseWriter, ref *refusal) {
	if ref.retryAfter > 0 {
		secs := int64(math.Ceil(ref.retryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
}
