package client

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A refusing gateway says when to come back (docs/protocol.md,
// "Reconnecting"): a WebSocket it accepted and closed at once with 1013 has
// a reason that ends with "retry after <N>ms"; an HTTP refusal (503 or 429)
// has a Retry-After header in whole seconds. N is how long the gateway needs
// to take the clients it refused lately at the rate it takes them; see
// Backoff.delay for what the client makes of it.

// maxRetryHint caps a hint: a malformed or hostile one does not park the
// client for hours. The gateway itself never hints more than 60 s.
const maxRetryHint = 60 * time.Second

// hintPrefix starts the hint at the end of a 1013's reason.
const hintPrefix = "retry after "

// retryHint reads the hint at the end of a close reason, "...; retry after
// 2500ms", clamped to [0, maxRetryHint]. ok is false when the reason does
// not end with one.
func retryHint(reason string) (hint time.Duration, ok bool) {
	s, ok := strings.CutSuffix(strings.TrimRight(reason, " "), "ms")
	if !ok {
		return 0, false
	}
	i := strings.LastIndex(s, hintPrefix)
	if i < 0 {
		return 0, false
	}
	return parseHint(s[i+len(hintPrefix):], time.Millisecond)
}

// retryAfterHeader reads the value of a Retry-After header in seconds
// (an HTTP date is not read: no hint), clamped as retryHint.
func retryAfterHeader(v string) (time.Duration, bool) {
	return parseHint(strings.TrimSpace(v), time.Second)
}

// parseHint reads a count of units written in decimal digits, and nothing
// else; one too large for a Duration is the cap.
func parseHint(digits string, unit time.Duration) (time.Duration, bool) {
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > uint64(maxRetryHint/unit) { // only digits: err is overflow
		return maxRetryHint, true
	}
	return time.Duration(n) * unit, true
}

// hintReason is the close reason the client gives an HTTP refusal with a
// Retry-After header, in the form of a 1013's, so that one rule reads both.
func hintReason(status int, hint time.Duration) string {
	return fmt.Sprintf("HTTP %d; %s%dms", status, hintPrefix, hint.Milliseconds())
}
