package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// session is one WebSocket client, the transport of /ws: its read loop
// answers ops, and the connection's writer writes frames through it.
type session struct {
	srv  *Server
	c    *websocket.Conn
	conn *conn // set by serve
	sub  *fanout.Subscriber
	k    codec.Kind
	typ  websocket.MessageType
	// wrote: the connection was written to since the last ping or skipped
	// ping (see keepalive). Next to c and typ, which every Write reads, so
	// that it costs no cache miss of its own.
	wrote atomic.Bool

	ops     *rate.Limiter // nil: ops are not limited
	refused int           // ops refused in a row by ops
	timers  timers
	// timed: the socket has TCP_USER_TIMEOUT, so that a connection being
	// written to may skip pings (see keepalive).
	timed bool

	// ctx ends when the connection is closed or its read loop ends; it
	// bounds the ops under way and the keepalive ping.
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	closing   sync.WaitGroup // the closing handshake
	sentCode  closecode.Code // the close code sent, 0 if none yet
	readErr   error          // why the read loop ended
}

// newSession makes the session of c, encoded as k; timed says that its
// socket has TCP_USER_TIMEOUT set to Limits.userTimeout.
func newSession(srv *Server, c *websocket.Conn, k codec.Kind, timed bool) *session {
	ss := &session{srv: srv, c: c, k: k, typ: websocket.MessageText, timed: timed}
	if k == codec.Msgpack {
		ss.typ = websocket.MessageBinary
	}
	ss.ctx, ss.cancel = context.WithCancel(context.Background())
	l := srv.limits
	c.SetReadLimit(l.ReadLimit)
	if l.OpRate > 0 && l.OpBurst > 0 {
		ss.ops = rate.NewLimiter(rate.Limit(l.OpRate), l.OpBurst)
	}
	return ss
}

func (ss *session) kind() codec.Kind { return ss.k }
func (ss *session) label() string    { return ss.k.String() }

// Write sends one frame. The background context keeps it allocation-free; a
// stuck peer is cut off by Close instead of a deadline. It notes that the
// connection was written to with a load, and a store only the first time
// after a ping.
func (ss *session) Write(p []byte) error {
	if !ss.wrote.Load() {
		ss.wrote.Store(true)
	}
	return ss.c.Write(context.Background(), ss.typ, p)
}

// Close starts the closing handshake without waiting for it, and stops the
// op under way.
func (ss *session) Close(code closecode.Code, reason string) {
	ss.closeOnce.Do(func() {
		ss.sentCode = code
		ss.cancel()
		ss.closing.Add(1)
		go func() {
			defer ss.closing.Done()
			_ = ss.c.Close(websocket.StatusCode(code), reason)
		}()
	})
}

// abort cuts the socket of a connection whose close frame is sent, without
// waiting for the peer's: the end of a drain.
func (ss *session) abort() { _ = ss.c.CloseNow() }

// drop ends a connection whose peer is gone, without a closing handshake.
func (ss *session) drop() {
	ss.closeOnce.Do(func() {
		ss.sentCode = closecode.Abnormal
		ss.cancel()
		_ = ss.c.CloseNow()
	})
}

// serve runs the read loop with the keepalive and idle timers.
func (ss *session) serve(c *conn) {
	ss.conn, ss.sub = c, c.sub
	ss.startTimers()
	ss.readErr = ss.readLoop()
	if code, ok := libraryClose(ss.readErr); ok {
		// coder/websocket has sent this close frame itself: nothing else
		// may be sent after it.
		ss.closeOnce.Do(func() { ss.sentCode = code })
	}
	ss.cancel()
	ss.stopTimers()
}

// finish waits for a closing handshake under way, closes the socket, and
// returns the code sent: this side's, or the one the peer closed with and
// got back.
func (ss *session) finish() closecode.Code {
	ss.closeOnce.Do(func() {}) // no close may start after this point
	ss.closing.Wait()
	_ = ss.c.CloseNow()
	if ss.sentCode != 0 {
		return ss.sentCode
	}
	if c := websocket.CloseStatus(ss.readErr); c >= 0 {
		return closecode.Code(c)
	}
	return closecode.Abnormal
}

// readLoop reads and answers ops until the connection fails or closes.
//
// Each frame is answered on a short-lived goroutine while the loop waits:
// decoding an op and subscribing go deep (encoding/json, the bus flush), and
// run here they would grow this goroutine's stack, which an idle connection
// keeps for as long as it lives, from 4 KiB to 8 KiB. Ops are rare next to
// the updates a connection receives.
func (ss *session) readLoop() error {
	done := make(chan error, 1)
	for {
		typ, frame, err := ss.c.Read(context.Background())
		if err != nil {
			return err
		}
		go func() { done <- ss.answer(typ, frame) }()
		if err := <-done; err != nil {
			ss.srv.log.Error("client op failed", "err", err)
			ss.Close(closecode.InternalError, "internal error")
			return err
		}
	}
}

// answer parses and applies one frame. An error means the connection cannot
// go on.
func (ss *session) answer(typ websocket.MessageType, frame []byte) error {
	limited := ss.ops != nil && !ss.ops.Allow()
	if typ != ss.typ {
		ss.reply(&subscribe.Error{Code: subscribe.CodeBadRequest, Msg: wrongFrameMsg[ss.k]})
		return nil
	}
	op, perr := ss.srv.parser.Parse(ss.k, frame)
	if limited {
		ss.rateLimited(op, perr)
		return nil
	}
	ss.refused = 0
	if perr != nil {
		ss.reply(perr)
		return nil
	}
	if err := ss.handle(op); err != nil {
		return fmt.Errorf("%s: %w", op.Kind, err)
	}
	ss.noteSubscriptions()
	return nil
}

// rateLimited answers an op over the connection's rate: rate_limited, with
// its id if it has one, and nothing applied. A client that goes on past
// OpBurst refused ops in a row is closed with 1008.
func (ss *session) rateLimited(op subscribe.Op, perr *subscribe.Error) {
	ss.refused++
	l := ss.srv.limits
	if ss.refused > l.OpBurst {
		ss.conn.closeFor(limitOpRate, "rate limit exceeded")
		return
	}
	id := op.ID
	if perr != nil {
		id = perr.ID
	}
	ss.reply(&subscribe.Error{Code: subscribe.CodeRateLimited, ID: id,
		Msg: fmt.Sprintf("more than %g ops/s (bursts of %d): op not applied", l.OpRate, l.OpBurst)})
}

var wrongFrameMsg = [codec.NumKinds]string{
	codec.JSON:    "binary frame on a ticker.v1.json connection: send text frames",
	codec.Msgpack: "text frame on a ticker.v1.msgpack connection: send binary frames",
}

// handle applies one parsed op. An error means the connection cannot go on.
func (ss *session) handle(op subscribe.Op) error {
	policy := ss.conn.policy
	switch op.Kind {
	case subscribe.OpPing:
		ss.sub.Send(codec.AppendPong(ss.k, nil, op.ID))
	case subscribe.OpSub:
		if e := policy.CheckSub(op, ss.sub.Holds, ss.sub.Count()); e != nil {
			ss.reply(e)
			return nil
		}
		opts := fanout.SubOptions{MaxRate: policy.Rate(op), Delta: op.Delta}
		err := ss.sub.Subscribe(ss.ctx, op.ID, op.Subjects, opts)
		if err != nil && (errors.Is(err, fanout.ErrClosed) || ss.ctx.Err() != nil) {
			// The connection is closing anyway (the gateway closed it, or
			// the core dropped it): not an internal error.
			ss.srv.log.Debug("connection closed while it subscribed", "remote", ss.conn.ip, "err", err)
			return nil
		}
		return err
	case subscribe.OpUnsub:
		if e := policy.CheckUnsub(op); e != nil {
			ss.reply(e)
			return nil
		}
		ss.sub.Unsubscribe(op.ID, op.Subjects)
	case subscribe.OpAuth:
		ss.reauth(op)
	}
	return nil
}

func (ss *session) reply(e *subscribe.Error) {
	ss.srv.metrics.errors.WithLabelValues(e.Code).Inc()
	ss.sub.Send(codec.AppendError(ss.k, nil, e.ID, e.Code, e.Msg))
}
