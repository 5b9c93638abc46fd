package app

import (
	"fmt"
	"net/http"
	"testing"
)

func TestARequestBodyIsRefusedOnEveryRouteWithoutWaitingForIt(t *testing.T) {
	a := startApp(t, nil)
	bodies := []struct {
		name, headers, rest string
	}{
		{"Content-Length 10 and no body", "Content-Length: 10\r\n", ""},
		{"Content-Length 10 and a trickle of it", "Content-Length: 10\r\n", "ab"},
		{"a chunked body never sent", "Transfer-Encoding: chunked\r\n", ""},
		{"a whole body", "Content-Length: 3\r\n", "abc"},
	}
	for _, r := range everyRoute {
		for _, b := range bodies {
			t.Run(r.target+" "+b.name, func(t *testing.T) {
				c := dialRaw(t, a)
				c.send(http.MethodGet, r.target, r.headers+b.headers, b.rest)
				resp, _ := c.answer(http.MethodGet)
				if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
					t.Fatalf("%s (close %v), want 413 and the connection closed", resp.Status, resp.Close)
				}
				if !c.closedByServer() {
					t.Fatal("the server kept the connection, waiting for the body")
				}
			})
		}
	}
	waitQuiet(t, a)
	if got := metricLine(t, a, "ticker_connections_opened_total"); got != "ticker_connections_opened_total 0" {
		t.Fatalf("%q: a request with a body was admitted", got)
	}
	want := fmt.Sprintf(`ticker_http_requests_refused_total{reason="body"} %d`, len(everyRoute)*len(bodies))
	if got := metricLine(t, a, `ticker_http_requests_refused_total{reason="body"}`); got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}

func TestASSEStreamAnnouncingABodyNeverSentDoesNotHoldTheDrain(t *testing.T) {
	a := startApp(t, nil)
	c := dialRaw(t, a)
	c.send(http.MethodGet, "/sse?subjects=quotes.AAPL", "Content-Length: 10\r\n", "")
	if resp, _ := c.answer(http.MethodGet); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("%s, want 413", resp.Status)
	}
	// The socket stays open on the client's side; the drain must not wait
	// for it.
	if err := a.Shutdown(testCtx(t)); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
