package auth

import "errors"

// ErrTokenExpired is wrapped by the error of Verify for a token past its
// "exp"; its text is the close reason the gateway sends, also when a token
// expires on an open connection.
var ErrTokenExpired = errors.New("token expired")

// The other errors of Verify, each wrapping the cause. Their texts, like
// ErrTokenExpired's, are the close reasons the gateway sends with code 1008.
var (
	errMissingToken = errors.New("missing token")
	errInvalidToken = errors.New("invalid token")
)

// Reason returns the close reason for an error from Verify: the text of the
// sentinel it wraps ("missing token", "invalid token" or "token expired"), or
// "" for any other error. It is at most 13 bytes, well within the 123 a close
// frame allows.
func Reason(err error) string {
	for _, s := range []error{errMissingToken, ErrTokenExpired, errInvalidToken} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return ""
}
