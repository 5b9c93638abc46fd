package app

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// Admission under a reconnect storm (docs/protocol.md, "Close codes"): past
// the accept rate a connection is answered at once, with a hint of when to
// come back, and the clients already in are served as before.

var retryAfter = regexp.MustCompile(`^try again later: too many new connections; retry after (\d+)ms$`)

func TestConnectionsBeyondTheAcceptRateAreClosedAtOnceWith1013AndAHint(t *testing.T) {
	const burst = 3
	// One new connection every 100 s: none comes back within the test.
	a := startApp(t, func(c *Config) { c.Limits.AcceptRate, c.Limits.AcceptBurst = 0.01, burst })
	conns := dialN(t, a, burst)
	for i, c := range conns {
		sub(t, c, i, "quotes.STORM")
	}
	for i := range 5 {
		c := dial(t, a, codec.JSON)
		var ce websocket.CloseError
		if err := closedWith(t, c); !errors.As(err, &ce) || ce.Code != websocket.StatusTryAgainLater {
			t.Fatalf("connection %d past the burst ended with %v, want 1013", i, err)
		}
		m := retryAfter.FindStringSubmatch(ce.Reason)
		if m == nil {
			t.Fatalf("reason %q carries no retry hint", ce.Reason)
		}
		if ms, _ := strconv.Atoi(m[1]); ms < 1000 || ms > 60000 {
			t.Fatalf("hint %dms, want within 1 s to 60 s", ms)
		}
	}
	code, _, h := httpGet(t, "http://"+a.Addr()+"/sse?subjects=quotes.STORM")
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Fatalf("SSE past the rate: %d with Retry-After %q, want 503 with a hint", code, h.Get("Retry-After"))
	}
	want := `ticker_upgrades_rejected_total{reason="accept_rate"} 6`
	if got := metricLine(t, a, `ticker_upgrades_rejected_total{reason="accept_rate"}`); got != want {
		t.Fatalf("metric %q, want %q", got, want)
	}

	// Those taken before the storm are served as before.
	newPublisher(t, a).quote("STORM", 100)
	for i, c := range conns {
		if h, err := next(t, c, "msg").Header(); err != nil || h.Seq != 1 {
			t.Fatalf("connection %d taken before the storm: %+v, %v", i, h, err)
		}
	}
}

func TestNoAcceptRateTakesEveryConnection(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.AcceptRate, c.Limits.AcceptBurst = -1, 1 })
	for i, c := range dialN(t, a, 20) {
		barrier(t, c, fmt.Sprint(i))
	}
}

// dialN opens n JSON connections.
func dialN(t *testing.T, a *App, n int) []*client.Conn {
	t.Helper()
	conns := make([]*client.Conn, n)
	for i := range conns {
		conns[i] = dial(t, a, codec.JSON)
	}
	return conns
}
