package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// The SSE fallback: GET /sse?subjects=quotes.AAPL,scores.nba.* streams the
// same JSON msg objects as /ws, one per event, for clients that cannot use
// WebSocket. It goes through the same fanout core (an SSE stream is one more
// fanout.Transport), with the same limits, origin rules and auth. The
// subscription is fixed for the stream's life: to change it, a client opens a
// new stream.
//
//	data: {"op":"msg","subject":"quotes.AAPL","data":{...},"snapshot":true}
//
// Other ops (the ack of the subscription) are named events ("event: ack"),
// which EventSource's onmessage does not see. ": ping" comment lines keep
// proxies from timing the stream out and find dead peers. Before the gateway
// ends a stream on purpose it sends "event: close" with
// {"code":1001,"reason":"..."}, the WebSocket close code it would have used.

// sseLabel is the ticker_connections label value of SSE streams.
const sseLabel = "sse"

// sseHeartbeat is the time between ": ping" lines: half the keepalive ping
// interval, so that proxies with a 30 s idle timeout keep the stream.
func (s *Server) sseHeartbeat() time.Duration {
	if s.limits.PingInterval > 0 {
		return s.limits.PingInterval / 2
	}
	return DefaultLimits().PingInterval / 2
}

// sseWriteTimeout bounds the final close event to a peer that stopped
// reading.
const sseWriteTimeout = time.Second

func (s *Server) serveSSE(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.metrics.rejected.WithLabelValues(rejectDraining).Inc()
		sseError(w, http.StatusServiceUnavailable, subscribe.CodeForbidden, "draining, reconnect elsewhere")
		return
	}
	if r.Header.Get("Origin") != "" && !originAllowed(r, s.opts.OriginPatterns) {
		s.metrics.rejected.WithLabelValues(rejectOrigin).Inc()
		sseError(w, http.StatusForbidden, subscribe.CodeForbidden, "origin not allowed")
		return
	}
	grant, err := s.authorize(r)
	if err != nil {
		s.metrics.rejected.WithLabelValues(rejectAuth).Inc()
		sseError(w, http.StatusUnauthorized, subscribe.CodeForbidden, auth.Reason(err))
		return
	}
	policy := s.opts.Policy
	if grant != nil {
		policy.Allow = grant.Restrict(policy.Allow)
	}
	op := subscribe.Op{Kind: subscribe.OpSub, Subjects: sseSubjects(r)}
	if len(op.Subjects) == 0 {
		s.metrics.errors.WithLabelValues(subscribe.CodeBadRequest).Inc()
		sseError(w, http.StatusBadRequest, subscribe.CodeBadRequest, "give the subjects to stream: /sse?subjects=quotes.AAPL,scores.nba.*")
		return
	}
	if e := policy.CheckSub(op, nil, 0); e != nil {
		s.metrics.errors.WithLabelValues(e.Code).Inc()
		status := http.StatusBadRequest
		if e.Code == subscribe.CodeForbidden {
			status = http.StatusForbidden
		}
		sseError(w, status, e.Code, e.Msg)
		return
	}

	st := &sseStream{w: w, rc: http.NewResponseController(w), done: make(chan struct{})}
	if reason := s.admit(sourceIP(r), func() fanout.Transport { return st }); reason != "" {
		sseError(w, http.StatusServiceUnavailable, subscribe.CodeForbidden, "try again later: connection limit reached")
		s.metrics.rejected.WithLabelValues(reason).Inc()
		return
	}
	defer s.untrack(st)
	s.streamSSE(r, st, op.Subjects, grant)
}

// streamSSE serves an admitted stream until the client leaves, the gateway
// closes it, or a write fails.
func (s *Server) streamSSE(r *http.Request, st *sseStream, subjects []string, g *auth.Grant) {
	m := s.metrics
	m.opened.Inc()
	conns := m.connections.WithLabelValues(sseLabel)
	conns.Inc()
	defer conns.Dec()

	h := st.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	st.w.WriteHeader(http.StatusOK)
	if st.heartbeat() != nil {
		m.closedWith(closecode.Abnormal)
		return
	}

	sub := s.opts.Hub.NewSubscriber(st, codec.JSON)
	defer sub.Close()
	if err := sub.Subscribe(r.Context(), codec.ID{}, subjects); err != nil {
		st.Close(closecode.InternalError, "internal error")
	}
	if g != nil {
		expire := time.AfterFunc(time.Until(g.Expires), func() {
			m.limited.WithLabelValues(limitTokenExpired).Inc()
			st.Close(closecode.PolicyViolation, auth.Reason(auth.ErrTokenExpired))
		})
		defer expire.Stop()
	}

	beat := time.NewTicker(s.sseHeartbeat())
	defer beat.Stop()
	code := closecode.Abnormal // the client left
loop:
	for {
		select {
		case <-beat.C:
			if st.heartbeat() != nil {
				break loop
			}
		case <-st.done:
			code = st.code
			break loop
		case <-r.Context().Done():
			break loop
		}
	}
	sub.Close()
	st.finish()
	m.closedWith(code)
}

// sseSubjects reads the subjects parameter (comma separated, may repeat).
func sseSubjects(r *http.Request) []string {
	var out []string
	for _, v := range r.URL.Query()["subjects"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// sseError answers a request that gets no stream with an error object.
func sseError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"op": "error", "code": code, "msg": msg})
}

// sseStream is one SSE client as the fanout core sees it. Writes come from
// the core's writers and the heartbeat; mu keeps them whole and keeps any of
// them from touching the ResponseWriter once the handler is finishing.
type sseStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController

	mu       sync.Mutex
	finished bool
	buf      []byte

	closeOnce sync.Once
	done      chan struct{}
	code      closecode.Code
	reason    string
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
		close(st.done)
		// A writer stuck on a peer that stopped reading lets go.
		_ = st.rc.SetWriteDeadline(time.Now())
	})
}

// finish sends the close event when the gateway chose to end the stream, and
// keeps every later write away from the ResponseWriter.
func (st *sseStream) finish() {
	st.closeOnce.Do(func() { close(st.done) }) // the client left: no event
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.code != 0 {
		_ = st.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
		ev, _ := json.Marshal(map[string]any{"code": st.code, "reason": st.reason})
		_ = st.send([]byte("event: close\ndata: " + string(ev) + "\n\n"))
	}
	st.finished = true
}
