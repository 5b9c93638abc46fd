package gateway

import (
	"context"
	"time"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/fanout"
)

// Drain stops taking clients and closes the open connections with 1001
// (going away), spread evenly over window so that they do not all reconnect
// to the other pods at once. It returns when every connection has ended or
// ctx is done.
func (s *Server) Drain(ctx context.Context, window time.Duration) error {
	s.mu.Lock()
	s.draining.Store(true)
	open := make([]fanout.Transport, 0, len(s.conns))
	for c := range s.conns {
		open = append(open, c.t)
	}
	s.mu.Unlock()

	s.log.Info("draining", "connections", len(open), "window", window)
	var step time.Duration
	if len(open) > 1 {
		step = window / time.Duration(len(open))
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for _, c := range open {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.Close(closecode.GoingAway, drainingReason)
		t.Reset(step)
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
