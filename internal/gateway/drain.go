package gateway

import (
	"context"
	"time"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/fanout"
)

// drainTick is how often a drain closes the connections that are due: the
// closes go in batches, so that a window spread over 19,000 connections
// (one every 260 µs) does not rest on timers that fine, which a busy
// machine fires late one by one.
const drainTick = 10 * time.Millisecond

// Drain stops taking clients and closes the open connections with 1001
// (going away), spread evenly over window so that they do not all reconnect
// to the other pods at once: by any time t into the window, the first
// t/window of them have been closed, and all of them by its end, however
// late the machine wakes the drain. It returns when every connection has
// ended or ctx is done.
func (s *Server) Drain(ctx context.Context, window time.Duration) error {
	s.mu.Lock()
	s.draining.Store(true)
	open := make([]fanout.Transport, 0, len(s.conns))
	for c := range s.conns {
		open = append(open, c.t)
	}
	s.mu.Unlock()

	s.log.Info("draining", "connections", len(open), "window", window)
	start := time.Now()
	tick := time.NewTicker(drainTick)
	defer tick.Stop()
	for closed := 0; closed < len(open); {
		due := dueBy(time.Since(start), window, len(open))
		for ; closed < due; closed++ {
			open[closed].Close(closecode.GoingAway, drainingReason)
		}
		if closed == len(open) {
			break
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.log.Info("drain sent 1001 to every connection", "connections", len(open), "took", time.Since(start))
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	grace := time.NewTimer(drainGrace)
	defer grace.Stop()
	select {
	case <-done:
		return nil
	case <-grace.C:
	case <-ctx.Done():
	}
	// Every client has its 1001; those whose closing handshake is still
	// under way (a peer busy reconnecting elsewhere) lose the socket now, so
	// that the process exits in time.
	s.mu.Lock()
	left := 0
	for c := range s.conns {
		if a, ok := c.t.(interface{ abort() }); ok {
			a.abort()
			left++
		}
	}
	s.mu.Unlock()
	s.log.Info("drain cut the closing handshakes still under way", "connections", left)
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drainGrace is how long a drain waits, after the last 1001, for the peers'
// closing handshakes before it cuts the sockets still open.
const drainGrace = 3 * time.Second

// dueBy returns how many of n connections a drain over window has closed by
// elapsed: the first at once, then evenly, and all of them from the end of
// the window on.
func dueBy(elapsed, window time.Duration, n int) int {
	if elapsed >= window || n <= 1 {
		return n
	}
	return min(n, 1+int(int64(n-1)*int64(elapsed)/int64(window)))
}
