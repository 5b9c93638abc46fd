package fleet

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// refusedError is a handshake the server answered with HTTP 503 (a draining
// or overloaded pod), with the wait its Retry-After asked for, if any.
type refusedError struct {
	url   string
	retry time.Duration
}

func (e *refusedError) Error() string { return "dial " + e.url + ": refused with HTTP 503" }

// handshakeRefusal is the refusal a failed dial's response tells of, or nil.
func handshakeRefusal(url string, resp *http.Response) error {
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		return nil
	}
	e := &refusedError{url: url}
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
		e.retry = time.Duration(s) * time.Second
	}
	return e
}

// refusalOf says whether err is the server refusing a connection for now:
// a close with 1013 (try again later) or a handshake answered with HTTP 503.
// hint is the wait the server asked for; 0 when it named none.
func refusalOf(err error) (hint time.Duration, refused bool) {
	if re := (*refusedError)(nil); errors.As(err, &re) {
		return re.retry, true
	}
	if websocket.CloseStatus(err) == websocket.StatusTryAgainLater {
		return hintOf(err), true
	}
	return 0, false
}

// hintOf is the wait a close reason ending in "retry after <duration>" asks
// for (e.g. "try again later: too many new connections; retry after
// 2500ms"); 0 without one.
func hintOf(err error) time.Duration {
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		return 0
	}
	i := strings.LastIndex(ce.Reason, "retry after ")
	if i < 0 {
		return 0
	}
	d, perr := time.ParseDuration(strings.TrimSpace(ce.Reason[i+len("retry after "):]))
	if perr != nil || d < 0 {
		return 0
	}
	return min(d, backoffCap)
}
