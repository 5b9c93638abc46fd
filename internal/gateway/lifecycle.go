package gateway

import (
	"time"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/fanout"
)

// transport is one way of carrying ticker.v1 to a client: a WebSocket
// session or an SSE stream. run gives every transport the same life; a
// transport brings only what is its own (its handshake, its loop, how it
// writes and how it says goodbye).
type transport interface {
	// fanout.Transport is how the core writes to and closes the
	// connection: Write a frame, Close with a code and reason (at once; the
	// goodbye happens in finish).
	fanout.Transport
	// kind is the encoding the connection's fanout subscriber gets.
	kind() codec.Kind
	// label is the transport's value of the codec label of
	// ticker_connections.
	label() string
	// serve runs the connection's loop until the client leaves or the
	// connection is closed. c.sub is attached.
	serve(c *conn)
	// finish ends the connection once nothing writes to it any more, and
	// returns the close code the client was sent: closecode.Abnormal if
	// none (the client left, or vanished).
	finish() closecode.Code
}

// run serves a taken connection over its transport until it ends, then
// releases it. It is the one lifecycle of every transport: it counts the
// connection open, attaches it to the fanout core, closes it when its token
// expires, runs the transport, detaches it, and counts the close code
// actually sent. (take has put it where Drain finds it.)
func (s *Server) run(c *conn) {
	defer c.release()
	t := c.t
	m := s.metrics
	m.opened.Inc()
	open := m.connections.WithLabelValues(t.label())
	open.Inc()
	defer open.Dec()

	c.sub = s.opts.Hub.NewSubscriber(t, t.kind())
	c.armExpiry()
	t.serve(c)
	c.end()
	c.sub.Close()
	m.closedWith(t.finish())
}

// armExpiry closes the connection with 1008 when its token expires; it does
// nothing without a token.
func (c *conn) armExpiry() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expiry.IsZero() {
		return
	}
	c.expire = time.AfterFunc(time.Until(c.expiry), func() {
		c.closeFor(limitTokenExpired, auth.Reason(auth.ErrTokenExpired))
	})
}

// moveExpiry moves the connection's expiry to exp, the exp of a token that
// replaced the one it had.
func (c *conn) moveExpiry(exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expiry = exp
	if c.ended || c.expire == nil {
		return
	}
	c.expire.Reset(time.Until(exp))
}

// closeFor closes the connection with 1008 for a per-connection limit,
// counting it, unless its loop has already returned.
func (c *conn) closeFor(limit, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	c.srv.metrics.limited.WithLabelValues(limit).Inc()
	c.t.Close(closecode.PolicyViolation, reason)
}

// end notes that the connection's loop has returned.
func (c *conn) end() {
	c.mu.Lock()
	c.ended = true
	if c.expire != nil {
		c.expire.Stop()
	}
	c.mu.Unlock()
}
