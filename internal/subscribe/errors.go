package subscribe

import (
	"fmt"
	"strconv"

	"github.com/ticker-dev/ticker/internal/codec"
)

// Error codes of ticker.v1, sent as the "code" of an error reply.
const (
	CodeBadRequest           = "bad_request"            // the frame is not a well-formed op
	CodeBadSubject           = "bad_subject"            // a subject or pattern breaks the subject rules
	CodeForbidden            = "forbidden"              // a pattern reaches beyond the allowed patterns
	CodeTooManySubscriptions = "too_many_subscriptions" // the connection would hold too many patterns
	CodeRateLimited          = "rate_limited"           // the client sends ops too fast
	CodeBadToken             = "bad_token"              // an auth op's token is invalid or expired
)

// Error is a protocol error reply: its Code, a human-readable Msg, and the ID
// of the op (unset if unreadable).
type Error struct {
	Code string   // one of the Code constants
	Msg  string   // says what was wrong, naming the field or subject
	ID   codec.ID // the op's id; unset when the frame had none or it could not be read
}

// Error returns "code: msg".
func (e *Error) Error() string { return e.Code + ": " + e.Msg }

func errorf(code string, id codec.ID, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), ID: id}
}

// maxQuoted bounds how much of a client's string an error message repeats.
const maxQuoted = 64

// quote quotes s for an error message, cut to maxQuoted bytes.
func quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "..."
	}
	return strconv.Quote(s)
}
