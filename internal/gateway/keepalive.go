package gateway

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// timers are a WebSocket session's keepalive ping and idle check (the token
// expiry is every transport's: see run). They run as timer callbacks, so an
// idle connection holds no goroutine for them.
type timers struct {
	mu      sync.Mutex
	stopped bool
	running sync.WaitGroup // callbacks under way
	ping    *time.Timer
	idle    *time.Timer
	skipped int // pings skipped in a row for writes (see keepalive); the ping callback's
}

// A ping costs a connection more than a delivery does: a frame out, the
// pong in, a wake-up of its read loop and a timer for the timeout. A
// connection written to since its last ping does not need one to find out
// whether its peer is gone: its socket has TCP_USER_TIMEOUT (see
// Limits.userTimeout), so the kernel aborts it once what was written stays
// unacknowledged for PingInterval+PingTimeout, as long as a ping would have
// taken. Such a connection skips up to busySkips pings in a row; the ping it
// then gets still finds a peer whose kernel acknowledges but that reads
// nothing, within (busySkips+1)×PingInterval+PingTimeout.
const busySkips = 3

// pingGrain is the grid the ping timers fire on: each one is lengthened to
// end on the next multiple of it (of a tenth of PingInterval, if less). The
// runtime runs every timer due at once in one wake-up, so the ping rounds of
// thousands of connections wake the process a few times a second, not once
// per connection: at 19,700 connections a timer a connection fired about
// 1000 times a second, and each woke the scheduler and the runtime's sysmon
// thread (a CPU profile of the gateway does not show this: it is time spent
// sleeping and waking, in the kernel). A connection is pinged at most one
// grain later than it was, and still at a random point of its interval.
const pingGrain = 100 * time.Millisecond

// onGrain returns d lengthened so that now+d falls on a multiple of grain
// (counted from the zero time, so that every connection uses the same
// grid). A grain of 0 or less leaves d as it is.
func onGrain(now time.Time, d, grain time.Duration) time.Duration {
	if grain <= 0 {
		return d
	}
	at := now.Add(d)
	if r := at.Sub(at.Truncate(grain)); r > 0 {
		d += grain - r
	}
	return d
}

// pingIn returns the time until a ping due in d, on the grid of pings.
func (l Limits) pingIn(d time.Duration) time.Duration {
	return onGrain(time.Now(), d, min(pingGrain, l.PingInterval/10))
}

// userTimeout is the TCP_USER_TIMEOUT of a WebSocket connection: the time a
// ping and its pong may take, 0 (none) without keepalive pings.
func (l Limits) userTimeout() time.Duration {
	if l.PingInterval <= 0 || l.PingTimeout <= 0 {
		return 0
	}
	return l.PingInterval + l.PingTimeout
}

// startTimers arms the keepalive ping, at a random point of the first
// interval so that connections opened together are not pinged together, and
// the idle check.
func (ss *session) startTimers() {
	l := ss.srv.limits
	if l.PingInterval > 0 && l.PingTimeout > 0 {
		first := l.PingInterval/2 + rand.N(l.PingInterval/2+1)
		ss.timers.ping = time.AfterFunc(l.pingIn(first), ss.keepalive)
	}
	if l.IdleTimeout > 0 {
		ss.timers.idle = time.AfterFunc(l.IdleTimeout, ss.idleExpired)
	}
}

// stopTimers stops the timers and waits for a callback under way.
func (ss *session) stopTimers() {
	t := &ss.timers
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
	for _, x := range []*time.Timer{t.ping, t.idle} {
		if x != nil {
			x.Stop()
		}
	}
	t.running.Wait()
}

// enter reports whether a callback may run, counting it in if so.
func (t *timers) enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	t.running.Add(1)
	return true
}

// keepalive pings the peer, unless the connection was written to since the
// last time and has skipped fewer than busySkips pings (see busySkips). A
// peer that does not answer within PingTimeout (gone without a FIN, or not
// reading at all) is dropped without a closing handshake, which it could not
// take either.
func (ss *session) keepalive() {
	if !ss.timers.enter() {
		return
	}
	defer ss.timers.running.Done()
	l := ss.srv.limits
	if ss.timers.skip(ss.timed && ss.wrote.Swap(false)) {
		ss.timers.ping.Reset(l.pingIn(l.PingInterval))
		return
	}
	// Not under ss.ctx: a context derived from it would leave ss.ctx a
	// done channel and a map of children for as long as the connection
	// lives. Ping returns as soon as the connection closes anyway.
	ctx, cancel := context.WithTimeout(context.Background(), l.PingTimeout)
	err := ss.c.Ping(ctx)
	cancel()
	switch {
	case ss.ctx.Err() != nil: // the session ended meanwhile
	case err != nil:
		ss.srv.metrics.deadPeers.Inc()
		ss.srv.log.Debug("dropping a peer that did not answer a ping", "remote", ss.conn.ip, "err", err)
		ss.drop()
	default:
		ss.timers.ping.Reset(l.pingIn(l.PingInterval))
	}
}

// skip reports whether this round's ping may be skipped, written saying
// that the connection has TCP_USER_TIMEOUT and was written to since the last
// round: at most busySkips rounds in a row.
func (t *timers) skip(written bool) bool {
	if written && t.skipped < busySkips {
		t.skipped++
		return true
	}
	t.skipped = 0
	return false
}

// idleExpired closes the connection if it still holds no subscription.
func (ss *session) idleExpired() {
	if !ss.timers.enter() {
		return
	}
	defer ss.timers.running.Done()
	if ss.sub.Count() == 0 {
		ss.conn.closeFor(limitIdle, "idle: no subscriptions")
	}
}

// noteSubscriptions arms the idle check while the connection holds no
// subscription and disarms it while it holds some.
func (ss *session) noteSubscriptions() {
	if ss.timers.idle == nil {
		return
	}
	if ss.sub.Count() == 0 {
		ss.timers.idle.Reset(ss.srv.limits.IdleTimeout)
	} else {
		ss.timers.idle.Stop()
	}
}
