package fleet

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/coder/websocket"
)

// Retrying a connection: a server that refuses (1013, or HTTP 503 before
// the handshake) is tried again after a wait in [0, its hint] when it gives
// one, else in [0, min(backoffCap, backoffBase·2^attempt)] (full jitter), at
// most maxAttempts times in a row, each time on another URL.
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 15 * time.Second
	maxAttempts = 20
)

// open dials and subscribes a connection for the first time, retrying while
// the servers refuse it (1013 during a storm: counted as refusals, not as
// connect errors). It returns how the first session ended, and whether it
// subscribed; when it did not, the failure has been counted. idle runs
// before each wait, so that a refused connection holds no dial slot
// meanwhile; answered runs once the sub is answered.
func (c *conn) open(ctx context.Context, idle func(), answered func() bool) (error, bool) {
	for attempt := 0; ; attempt++ {
		err := c.dialAndSub(ctx)
		dialed := err == nil
		if dialed {
			err = c.read(answered)
		}
		if c.acked {
			return err, true
		}
		if dialed {
			_ = c.ws.CloseNow()
		}
		hint, refused := refusalOf(err)
		switch {
		case c.refused:
			c.f.connectError(errors.New("subscription refused by the server"))
			return err, false
		case !refused && dialed:
			c.f.connectError(fmt.Errorf("no ack for the subscription: %w", err))
			return err, false
		case !refused:
			c.f.connectError(err)
			return err, false
		}
		c.f.refusals.Add(1)
		if attempt+1 >= maxAttempts {
			c.f.connectError(fmt.Errorf("refused %d times in a row: %w", maxAttempts, err))
			return err, false
		}
		idle()
		if !c.f.wait(ctx, retryDelay(hint, attempt)) {
			c.f.connectError(fmt.Errorf("the run ended while refused: %w", err))
			return err, false
		}
		c.url = c.f.otherURL(c.url, c.url)
	}
}

// follow keeps a subscribed connection going while the server ends it with
// 1001 (going away: the pod drains) or 1013 (try again later): after a
// random delay it dials another URL, subscribes again, and reads on. It
// returns the error that ended the last connection. When it cannot go on
// elsewhere, that is the close it could not get past.
func (c *conn) follow(ctx context.Context, err error) error {
	for c.shouldReconnect(err) {
		gone, goneAt := err, time.Now()
		code := closeCodeOf(err)
		c.f.moves.gone(code, goneAt)
		c.moved = true
		delay := c.f.jitter()
		if code == int(websocket.StatusTryAgainLater) {
			delay = retryDelay(hintOf(err), 0)
		}
		var ok bool
		if err, ok = c.move(ctx, goneAt, delay); !ok {
			c.f.moves.gaveUp()
			return gone
		}
	}
	return err
}

// move dials another URL after delay and subscribes there, again after a
// backoff while it is refused or fails, at most maxAttempts times, each
// dial in one of the fleet's dial slots (see dialSlot). It
// returns how the new session ended, or false when it found none. Failed
// dials and subs count as connect errors, refusals apart.
func (c *conn) move(ctx context.Context, goneAt time.Time, delay time.Duration) (error, bool) {
	away := c.url
	for attempt := range maxAttempts {
		_ = c.ws.CloseNow()
		if !c.f.wait(ctx, delay) {
			return nil, false
		}
		c.url = c.f.otherURL(c.url, away)
		release, ok := c.f.dialSlot(ctx)
		if !ok {
			return nil, false
		}
		answered := false
		err := c.dialAndSub(ctx)
		if err == nil {
			err = c.read(func() bool {
				answered = true
				release()
				if !c.refused {
					c.f.reconnects.Add(1)
					c.f.moves.back(goneAt, time.Now())
				}
				return c.refused
			})
		}
		release()
		switch hint, refused := refusalOf(err); {
		case answered && !c.refused:
			return err, true
		case errors.Is(err, errClosing) || c.f.closing.Load():
			return nil, false
		case c.refused: // the sub itself refused: no use trying again
			c.f.connectError(fmt.Errorf("resubscribe on %s: refused", c.f.cfg.URLs[c.url]))
			_ = c.ws.CloseNow()
			return nil, false
		case refused:
			c.f.refusals.Add(1)
			delay = retryDelay(hint, attempt+1)
		default:
			c.f.connectError(fmt.Errorf("reconnect to %s: %w", c.f.cfg.URLs[c.url], orNoAck(err)))
			delay = retryDelay(0, attempt+1)
		}
	}
	return nil, false
}

// orNoAck is err, or says that the sub was never answered.
func orNoAck(err error) error {
	if err == nil {
		return errors.New("the sub was not acknowledged")
	}
	return err
}

// shouldReconnect says whether a subscribed connection that ended with err
// dials again: when the server went away (1001) or asked it to come back
// later (1013), for a connection that reads (not a stalled one), unless
// Config.NoReconnect or the fleet is closing.
func (c *conn) shouldReconnect(err error) bool {
	code := closeCodeOf(err)
	return (code == int(websocket.StatusGoingAway) || code == int(websocket.StatusTryAgainLater)) &&
		!c.stall && !c.f.cfg.NoReconnect && !c.f.closing.Load()
}

// retryDelay is the wait before retrying a refused connection: uniform in
// [0, hint] when the server gave one, else uniform in [0, min(cap,
// base·2^attempt)].
func retryDelay(hint time.Duration, attempt int) time.Duration {
	ceiling := hint
	if ceiling <= 0 {
		ceiling = backoffCap
		if attempt < 30 && backoffBase<<attempt < backoffCap {
			ceiling = backoffBase << attempt
		}
	}
	return rand.N(ceiling + 1)
}

// jitter is the wait before reconnecting after a 1001: uniform in [0,
// ReconnectJitter], so that the connections of a draining pod spread over
// the window instead of arriving at once.
func (f *Fleet) jitter() time.Duration {
	if j := f.cfg.ReconnectJitter; j > 0 {
		return rand.N(j + 1)
	}
	return 0
}

// otherURL is the URL to try after cur: one of the others at random, as a
// load balancer would spread them, and not avoid (the server that sent the
// connection away, which may be gone) while there is a third; cur itself
// when it is the only one.
func (f *Fleet) otherURL(cur, avoid int) int {
	n := len(f.cfg.URLs)
	if n < 2 {
		return 0
	}
	lo, hi := min(cur, avoid), max(cur, avoid)
	if lo == hi || n < 3 {
		next := rand.N(n - 1)
		if next >= cur {
			next++
		}
		return next
	}
	next := rand.N(n - 2) // skip lo, then hi
	if next >= lo {
		next++
	}
	if next >= hi {
		next++
	}
	return next
}

// dialSlot waits for one of the DialConcurrency slots of handshakes under
// way and returns its release, which gives it back once however often it
// runs; ok is false when the run closes or ctx ends first. A connection
// moving after a 1001 or 1013 takes one just as a first dial does: a drain
// of 15,000 connections otherwise had thousands of handshakes under way at
// once on the load generator's one core, each as slow as all of them
// together, so that nearly none finished for seconds and the run measured
// that convoy rather than the servers.
func (f *Fleet) dialSlot(ctx context.Context) (release func(), ok bool) {
	select {
	case f.dials <- struct{}{}:
	case <-f.closed:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
	done := false
	return func() {
		if !done {
			done = true
			<-f.dials
		}
	}, true
}

// reconnectDelay waits a random time in [0, ReconnectJitter] (see jitter)
// and reports false if the run closes or ctx ends first.
func (f *Fleet) reconnectDelay(ctx context.Context) bool { return f.wait(ctx, f.jitter()) }

// wait waits for d, and reports false if the run closes or ctx ends first.
func (f *Fleet) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return !f.closing.Load() && ctx.Err() == nil
	case <-f.closed:
	case <-ctx.Done():
	}
	return false
}
