package fanout

import "github.com/ticker-dev/ticker/internal/closecode"

// Transport is one client connection as the core sees it: WebSocket today,
// another streaming transport tomorrow.
type Transport interface {
	// Write sends p as one frame. It may block while the peer is slow; it
	// must not keep p after it returns.
	Write(p []byte) error
	// Close ends the connection with a close code and reason. It must return
	// quickly; the closing handshake happens elsewhere.
	Close(code closecode.Code, reason string)
}
