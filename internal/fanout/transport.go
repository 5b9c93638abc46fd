package fanout

// Close codes the core itself decides (RFC 6455 section 7.4).
const (
	StatusPolicyViolation = 1008 // with reason "slow consumer"
	StatusInternalError   = 1011
)

// Transport is one client connection as the core sees it: WebSocket today,
// another streaming transport tomorrow.
type Transport interface {
	// Write sends p as one frame. It may block while the peer is slow; it
	// must not keep p after it returns.
	Write(p []byte) error
	// Close ends the connection with a close code and reason. It must return
	// quickly; the closing handshake happens elsewhere.
	Close(code int, reason string)
}
