package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/fanout"
)

// sseLabel is the ticker_connections label value of SSE streams.
const sseLabel = "sse"

// sseWriteTimeout bounds the final close event to a peer that stopped
// reading.
const sseWriteTimeout = time.Second

// sseStream is one SSE client, the transport of /sse. Writes come from the
// core's writers and the heartbeat; mu keeps them whole and keeps any of them
// from touching the ResponseWriter once the stream is finishing.
type sseStream struct {
	srv      *Server
	w        http.ResponseWriter
	rc       *http.ResponseController
	subjects []string
	opts     fanout.SubOptions // max_rate and delta of the stream's sub

	// ctx ends when the client leaves or the stream is closed; it bounds
	// the subscription and the stream's loop.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	finished bool
	buf      []byte

	closeOnce sync.Once
	code      closecode.Code // the code Close was given, 0 if none
	reason    string
}

func newSSEStream(s *Server, w http.ResponseWriter, r *http.Request, subjects []string, opts fanout.SubOptions) *sseStream {
	st := &sseStream{srv: s, w: w, rc: http.NewResponseController(w), subjects: subjects, opts: opts}
	st.ctx, st.cancel = context.WithCancel(r.Context())
	return st
}

func (st *sseStream) kind() codec.Kind { return codec.JSON }
func (st *sseStream) label() string    { return sseLabel }

// heartbeatInterval is the time between ": ping" lines: half the keepalive
// ping interval, so that proxies with a 30 s idle timeout keep the stream.
func (st *sseStream) heartbeatInterval() time.Duration {
	if d := st.srv.limits.PingInterval; d > 0 {
		return d / 2
	}
	return DefaultLimits().PingInterval / 2
}

// serve answers with the stream's headers, subscribes, and keeps the stream
// alive until the client leaves, the gateway closes it, or a write fails.
func (st *sseStream) serve(c *conn) {
	liftDeadlines(st.rc)
	h := st.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	st.w.WriteHeader(http.StatusOK)
	if st.heartbeat() != nil {
		return
	}
	if err := c.sub.Subscribe(st.ctx, codec.ID{}, st.subjects, st.opts); err != nil {
		if st.ctx.Err() == nil && !errors.Is(err, fanout.ErrClosed) {
			st.srv.log.Error("SSE subscription failed", "remote", c.ip, "err", err)
			st.Close(closecode.InternalError, "internal error")
			return
		}
		// The client left, or the stream was closed, while it subscribed:
		// theirs or the closer's, not an internal error.
		st.srv.log.Debug("SSE stream ended while it subscribed", "remote", c.ip, "err", err)
		return
	}
	beat := time.NewTicker(st.heartbeatInterval())
	defer beat.Stop()
	for {
		select {
		case <-beat.C:
			if st.heartbeat() != nil {
				return
			}
		case <-st.ctx.Done(): // the client left, or Close
			return
		}
	}
}

var errStreamEnded = errors.New("gateway: SSE stream ended")

// Write sends a frame of JSON messages (joined by "\n"), one event each.
func (st *sseStream) Write(p []byte) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.finished {
		return errStreamEnded
	}
	b := st.buf[:0]
	for len(p) > 0 {
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line, p = p[:i], p[i+1:]
		} else {
			p = nil
		}
		b = appendEvent(b, line)
	}
	st.buf = b
	return st.send(b)
}

// appendEvent appends msg as an event: a "msg" as a plain message, any other
// op as an event named after it.
func appendEvent(b, msg []byte) []byte {
	const prefix = `{"op":"`
	if rest, ok := bytes.CutPrefix(msg, []byte(prefix)); ok && !bytes.HasPrefix(rest, []byte(`msg"`)) {
		if i := bytes.IndexByte(rest, '"'); i > 0 {
			b = append(b, "event: "...)
			b = append(b, rest[:i]...)
			b = append(b, '\n')
		}
	}
	b = append(b, "data: "...)
	b = append(b, msg...)
	return append(b, "\n\n"...)
}

// send writes b and flushes it. The caller holds mu.
func (st *sseStream) send(b []byte) error {
	if _, err := st.w.Write(b); err != nil {
		return err
	}
	return st.rc.Flush()
}

func (st *sseStream) heartbeat() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.finished {
		return errStreamEnded
	}
	return st.send([]byte(": ping\n\n"))
}

// Close ends the stream with a WebSocket close code and reason, which the
// client gets as a close event. It returns at once.
func (st *sseStream) Close(code closecode.Code, reason string) {
	st.closeOnce.Do(func() {
		st.code, st.reason = code, reason
		st.cancel()
		// A writer stuck on a peer that stopped reading lets go.
		_ = st.rc.SetWriteDeadline(time.Now())
	})
}

// finish sends the close event when the gateway chose to end the stream, and
// keeps every later write away from the ResponseWriter. It returns the code
// of the close event sent, or closecode.Abnormal when none was: the client
// left, or could not take it.
func (st *sseStream) finish() closecode.Code {
	st.closeOnce.Do(func() {}) // no Close after this point: no event unless one came
	st.cancel()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.finished = true
	if st.code == 0 {
		return closecode.Abnormal
	}
	_ = st.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	ev, _ := json.Marshal(map[string]any{"code": st.code, "reason": st.reason})
	if st.send([]byte("event: close\ndata: "+string(ev)+"\n\n")) != nil {
		return closecode.Abnormal
	}
	return st.code
}
