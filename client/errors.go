package client

import (
	"errors"
	"fmt"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/protocol"
)

// Error codes of the server's error replies (docs/protocol.md, section 9).
const (
	CodeBadRequest           = "bad_request"            // the op was not well formed
	CodeBadSubject           = "bad_subject"            // a pattern breaks the subject rules
	CodeForbidden            = "forbidden"              // a pattern reaches beyond what is allowed
	CodeTooManySubscriptions = "too_many_subscriptions" // the connection would hold too many patterns
	CodeRateLimited          = "rate_limited"           // ops too fast; the client sends the sub again later
	CodeBadToken             = protocol.CodeBadToken    // auth: the new token is invalid or expired; the old one governs
)

// Close codes a connection ends with (docs/protocol.md, section 10).
const (
	StatusNormal          = 1000
	StatusGoingAway       = 1001 // the pod drains; reconnect elsewhere, soon
	StatusAbnormal        = 1006 // no close frame, or the connection failed to open
	StatusPolicyViolation = 1008 // origin, token, slow consumer, rate limit, idle
	StatusMessageTooBig   = 1009
	StatusInternalError   = 1011
	StatusTryAgainLater   = 1013 // a connection limit; retry later
	// StatusClientTimeout is the code this client closes with when it gives
	// up on a silent connection (as ticker.js does).
	StatusClientTimeout = 4000
)

// ErrClosed is returned by the methods of a Client whose Run has ended, and
// by a second call of Run.
var ErrClosed = errors.New("ticker client: closed")

// ServerError is an error reply of the server: it refused an op, which had
// no effect.
type ServerError struct {
	Code     string   // one of the Code constants
	Msg      string   // human-readable; its wording may change
	Patterns []string // the patterns of the refused subscription, when known
}

func (e *ServerError) Error() string { return e.Code + ": " + e.Msg }

// CloseError is how a connection ended: the close code and reason the server
// sent, or StatusAbnormal when there was no close frame or the connection
// never opened. It unwraps to the underlying error.
type CloseError struct {
	URL    string
	Code   int
	Reason string
	err    error
}

func (e *CloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("%s: closed with %d", e.URL, e.Code)
	}
	return fmt.Sprintf("%s: closed with %d %s", e.URL, e.Code, e.Reason)
}

func (e *CloseError) Unwrap() error { return e.err }

// closeErrorOf describes how a read on the connection to url failed.
func closeErrorOf(url string, err error) *CloseError {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce
	}
	var wce websocket.CloseError
	if errors.As(err, &wce) {
		return &CloseError{URL: url, Code: int(wce.Code), Reason: wce.Reason, err: err}
	}
	return &CloseError{URL: url, Code: StatusAbnormal, Reason: err.Error(), err: err}
}
