package fleet

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/coder/websocket"
)

// follow keeps a connection going while the server ends it with 1001 (going
// away: the pod drains): after a random delay it dials the next URL,
// subscribes again, and reads on. It returns the error that ended the last
// connection. When it cannot go on elsewhere (a failed dial or sub, counted
// as a connect error), that is the 1001 it could not get past.
func (c *conn) follow(ctx context.Context, err error) error {
	for c.shouldReconnect(err) {
		if !c.f.reconnectDelay(ctx) {
			return err
		}
		_ = c.ws.CloseNow()
		c.url = (c.url + 1) % len(c.f.cfg.URLs)
		if derr := c.dialAndSub(ctx); derr != nil {
			if !c.f.closing.Load() {
				c.f.connectError(fmt.Errorf("reconnect: %w", derr))
			}
			return err
		}
		gone := err
		err = c.read(func() bool {
			if !c.refused {
				c.f.reconnects.Add(1)
			}
			return c.refused
		})
		if c.refused || c.awaiting {
			if !c.f.closing.Load() {
				c.f.connectError(fmt.Errorf("resubscribe on %s: refused or not acknowledged (%v)", c.f.cfg.URLs[c.url], err))
			}
			_ = c.ws.CloseNow()
			return gone
		}
	}
	return err
}

// shouldReconnect says whether a connection that ended with err dials again:
// only when the server went away (1001), for a connection that reads (not a
// stalled one), unless Config.NoReconnect or the fleet is closing.
func (c *conn) shouldReconnect(err error) bool {
	return closeCodeOf(err) == int(websocket.StatusGoingAway) && !c.stall && !c.f.cfg.NoReconnect && !c.f.closing.Load()
}

// reconnectDelay waits a random time in [0, ReconnectJitter] (full jitter:
// the connections of a draining pod spread over the window instead of
// arriving at once), and reports false if the run closes or ctx ends first.
func (f *Fleet) reconnectDelay(ctx context.Context) bool {
	var d time.Duration
	if j := f.cfg.ReconnectJitter; j > 0 {
		d = rand.N(j + 1)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return !f.closing.Load()
	case <-f.closed:
	case <-ctx.Done():
	}
	return false
}
