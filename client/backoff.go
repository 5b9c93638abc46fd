package client

import (
	"math/rand/v2"
	"time"
)

// Backoff shapes the waits between connection attempts: exponential backoff
// with full jitter (docs/protocol.md, "Reconnecting"), following the close
// code as ticker.js does. Zero fields take the defaults in brackets.
type Backoff struct {
	// Base [500ms] is the ceiling of the first wait; it doubles per failed
	// attempt up to Cap [15s]. The wait is uniform in [0, ceiling].
	Base, Cap time.Duration
	// GoingAwayMax [1s]: after 1001 (the pod drains) the wait is uniform in
	// [0, GoingAwayMax] whatever the attempt, and the next URL is tried.
	GoingAwayMax time.Duration
	// PolicyFloor [5s]: after 1008 (slow consumer, rate limit, idle) and
	// 1013 (connection limit) the wait is PolicyFloor plus the usual one, so
	// a refusing server is not hammered. A 1013 with the server's hint
	// ("retry after <N>ms") waits by the hint instead (see delay).
	PolicyFloor time.Duration
	// StableAfter [10s]: a connection open this long resets the attempt
	// count, so a gateway that accepts and closes at once is not hammered.
	StableAfter time.Duration
}

// DefaultBackoff is the policy of a zero Backoff, ticker.js's.
var DefaultBackoff = Backoff{
	Base:         500 * time.Millisecond,
	Cap:          15 * time.Second,
	GoingAwayMax: time.Second,
	PolicyFloor:  5 * time.Second,
	StableAfter:  10 * time.Second,
}

func (b Backoff) withDefaults() Backoff {
	d := DefaultBackoff
	for _, f := range []struct{ v, def *time.Duration }{
		{&b.Base, &d.Base}, {&b.Cap, &d.Cap}, {&b.GoingAwayMax, &d.GoingAwayMax},
		{&b.PolicyFloor, &d.PolicyFloor}, {&b.StableAfter, &d.StableAfter},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return b
}

// The close reasons after which reconnecting cannot help (docs/security.md):
// the same request would be refused the same way.
const (
	reasonMissingToken = "missing token"
	reasonInvalidToken = "invalid token"
	reasonTokenExpired = "token expired"
	reasonOrigin       = "origin not allowed"
)

// final tells whether a connection that ended with ce is the last one: an
// auth or origin refusal. An expired token is final only without
// Options.TokenFunc, which can fetch a fresh one.
func final(ce *CloseError, canRefresh bool) bool {
	if ce.Code != StatusPolicyViolation {
		return false
	}
	switch ce.Reason {
	case reasonMissingToken, reasonInvalidToken, reasonOrigin:
		return true
	case reasonTokenExpired:
		return !canRefresh
	}
	return false
}

// delay returns the wait before attempt number attempt (0 for the first
// after a stable connection) once a connection ended with code and reason;
// random is uniform in [0, 1).
//
// A 1013 whose reason carries the server's hint N (retryHint) waits uniform
// in [0, max(N, ceiling)], without PolicyFloor: N is how long the refusing
// gateway needs to take the clients it refused at the rate it takes them,
// so refused clients that each pick a uniform point of it come back at
// about that rate, which a floor would only postpone and bunch up. The
// client's own ceiling still counts when it is larger: a client refused
// again and again (the attempt count grows all the same) keeps backing off
// even if the hints stay short, and a wider window only lowers the rate the
// gateway sees.
func (b Backoff) delay(code int, reason string, attempt int, random func() float64) time.Duration {
	if code == StatusGoingAway {
		return time.Duration(random() * float64(b.GoingAwayMax))
	}
	ceiling := b.Cap
	if attempt < 30 && b.Base<<attempt < b.Cap && b.Base<<attempt > 0 {
		ceiling = b.Base << attempt
	}
	if code == StatusTryAgainLater {
		if hint, ok := retryHint(reason); ok {
			return time.Duration(random() * float64(max(hint, ceiling)))
		}
	}
	jittered := time.Duration(random() * float64(ceiling))
	if (code == StatusPolicyViolation && reason != reasonTokenExpired) || code == StatusTryAgainLater {
		return b.PolicyFloor + jittered
	}
	return jittered
}

// jitter is the random source of delays.
func jitter() float64 { return rand.Float64() }
