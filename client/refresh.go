package client

import (
	"context"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token refresh on an open connection (Options.TokenFunc).
const (
	refreshFrom   = 0.75             // of the token's remaining lifetime
	refreshWindow = 0.15             // refresh at a random point of [75%, 90%)
	refreshFloor  = time.Second      // first retry ceiling after a failure
	refreshCap    = 30 * time.Second // retry ceiling
	// refreshMinRetry: closer to exp than twice this, a failed refresh is
	// not retried; the gateway closes at exp and the client reconnects.
	refreshMinRetry = 100 * time.Millisecond
)

// tokenExpiry reads a JWT's exp without verifying it (the gateway does);
// zero when token is not a JWT or has no exp.
func tokenExpiry(token string) time.Time {
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &claims); err != nil || claims.ExpiresAt == nil {
		return time.Time{}
	}
	return claims.ExpiresAt.Time
}

// refreshDelay is when to refresh a token that expires in remaining, given
// r in [0, 1): full jitter over [75%, 90%) of it.
func refreshDelay(remaining time.Duration, r float64) time.Duration {
	if remaining <= 0 {
		return 0
	}
	return time.Duration(float64(remaining) * (refreshFrom + refreshWindow*r))
}

// refreshRetry is the wait after the n-th failed refresh in a row (n >= 1),
// given r in [0, 1): full jitter under min(1s * 2^(n-1), 30s).
func refreshRetry(n int, r float64) time.Duration {
	ceiling := refreshCap
	if n < 6 {
		ceiling = min(refreshFloor<<(n-1), refreshCap)
	}
	return time.Duration(r * float64(ceiling))
}

// scheduleRefresh arms the refresh of token ahead of its exp, when the
// client has a TokenFunc and the token an exp.
func (s *session) scheduleRefresh(token string) {
	if s.c.opts.TokenFunc == nil {
		return
	}
	exp := tokenExpiry(token)
	if exp.IsZero() {
		return
	}
	s.mu.Lock()
	s.exp = exp
	s.mu.Unlock()
	s.after(refreshDelay(time.Until(exp), jitter()), s.refresh)
}

// refresh gets a fresh token and sends it as an auth op.
func (s *session) refresh() {
	c := s.c
	ctx, cancel := context.WithTimeout(s.ctx, writeTimeout)
	token, err := c.opts.TokenFunc(ctx)
	cancel()
	if s.ctx.Err() != nil {
		return
	}
	if err != nil {
		s.refreshFailed(fmt.Errorf("token: %w", err), true)
		return
	}
	c.mu.Lock()
	if c.cur != s {
		c.mu.Unlock()
		return
	}
	op := c.reg.auth(token)
	c.mu.Unlock()
	s.send([]outOp{op})
}

// refreshed handles the ack of an auth op that sent token.
func (s *session) refreshed(token string) {
	s.mu.Lock()
	s.refreshFails = 0
	s.mu.Unlock()
	s.c.emit(Event{State: TokenRefreshed, URL: s.url, Attempt: s.attempt, Codec: s.conn.Codec()})
	s.scheduleRefresh(token)
}

// refreshFailed reports a failed refresh and, when retry, tries again with
// backoff as long as the old token has not expired.
func (s *session) refreshFailed(err error, retry bool) {
	s.mu.Lock()
	s.refreshFails++
	n, exp := s.refreshFails, s.exp
	s.mu.Unlock()
	ev := Event{State: TokenRefused, URL: s.url, Attempt: s.attempt, Codec: s.conn.Codec(), Err: err}
	// Retry while the old token lasts: at most half-way to its exp.
	if remaining := time.Until(exp); retry && remaining > 2*refreshMinRetry {
		d := min(refreshRetry(n, jitter()), remaining/2)
		ev.RetryIn = d
		s.after(d, s.refresh)
	}
	s.c.emit(ev)
}
