package auth

import "errors"

// Errors returned by Verify, each wrapping the cause. Their texts are the
// close reasons the gateway sends with code 1008.
var (
	ErrMissingToken = errors.New("missing token")
	ErrInvalidToken = errors.New("invalid token")
	ErrTokenExpired = errors.New("token expired")
)

// Reason returns the close reason for an error from Verify: the text of the
// sentinel it wraps ("missing token", "invalid token" or "token expired"), or
// "" for any other error. It is at most 13 bytes, well within the 123 a close
// frame allows.
func Reason(err error) string {
	for _, s := range []error{ErrMissingToken, ErrTokenExpired, ErrInvalidToken} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return ""
}
