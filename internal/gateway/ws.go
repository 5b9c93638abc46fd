package gateway

import (
	"net/http"
	"strings"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

// serveWS upgrades a request to a ticker.v1 WebSocket connection and starts
// serving it.
//
// A request refused before its handshake gets an HTTP answer (503 while
// draining, as DESIGN.md says); any other refusal is answered after the
// handshake with a close code and a reason, which a browser shows, where an
// HTTP 403 would reach the page as a bare 1006.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	c, ref := s.admit(r, nil)
	if ref != nil && ref.code == 0 {
		s.reject(ref)
		setRetryAfter(w, ref)
		http.Error(w, ref.msg, ref.status)
		return
	}
	bw := &smallBuffers{ResponseWriter: w, userTimeout: s.limits.userTimeout()}
	ws, err := websocket.Accept(bw, r, &websocket.AcceptOptions{
		Subprotocols:       []string{codec.SubprotocolJSON, codec.SubprotocolMsgpack},
		InsecureSkipVerify: true, // checked by admit, answered below with 1008
		CompressionMode:    s.opts.Compression,
	})
	if err != nil { // Accept has answered the request
		s.metrics.rejected.WithLabelValues(rejectHandshake).Inc()
		s.log.Debug("websocket handshake refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	if ref == nil {
		ref = c.take(newSession(s, ws, kindOf(ws.Subprotocol()), bw.timed))
	}
	if ref != nil {
		s.reject(ref)
		_ = ws.Close(websocket.StatusCode(ref.code), ref.msg)
		return
	}
	// The session gets a goroutine of its own, and this handler returns:
	// net/http's goroutine, its deep stack and the request are not kept for
	// as long as the connection lives.
	go s.run(c)
}

// kindOf is the encoding of the subprotocol the handshake agreed on.
// coder/websocket matches offers case-insensitively and echoes the client's
// spelling, so the codec is chosen the same way: a client that offered
// TICKER.V1.MSGPACK and got it back speaks msgpack.
func kindOf(subprotocol string) codec.Kind {
	if strings.EqualFold(subprotocol, codec.SubprotocolMsgpack) {
		return codec.Msgpack
	}
	return codec.JSON
}
