package app

import (
	"net/http"
	"strings"
	"testing"
)

func TestHEADAndOPTIONSOnEveryRouteAnswerAtOnceAndStartNoStream(t *testing.T) {
	a := startApp(t, nil)
	waitFor(t, "readiness", func() bool { return status(a, "/readyz") == http.StatusOK })
	for _, r := range everyRoute {
		for _, tc := range []struct {
			method string
			status int
			allow  string
		}{
			{http.MethodHead, headStatus(r.target), allowOf(r.target, http.MethodHead)},
			{http.MethodOptions, http.StatusNoContent, allowOf(r.target, http.MethodOptions)},
			{http.MethodPost, http.StatusMethodNotAllowed, allowOf(r.target, http.MethodPost)},
		} {
			t.Run(tc.method+" "+r.target, func(t *testing.T) {
				c := dialRaw(t, a)
				c.send(tc.method, r.target, r.headers, "")
				resp, _ := c.answer(tc.method)
				if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow {
					t.Fatalf("%s, Allow %q; want %d, Allow %q", resp.Status, resp.Header.Get("Allow"), tc.status, tc.allow)
				}
				// The same socket serves the next request, and closing it
				// leaves nothing behind.
				c.send(http.MethodGet, "/healthz", "", "")
				if resp, body := c.answer(http.MethodGet); resp.StatusCode != http.StatusOK || body != "ok\n" {
					t.Fatalf("the next request on the socket: %s %q", resp.Status, body)
				}
				c.nc.Close()
				waitQuiet(t, a)
			})
		}
	}
	if got := metricLine(t, a, "ticker_connections_opened_total"); got != "ticker_connections_opened_total 0" {
		t.Fatalf("%q: a HEAD or OPTIONS opened a connection", got)
	}
}

// headStatus is what a HEAD of target answers.
func headStatus(target string) int {
	switch {
	case strings.HasPrefix(target, "/ws"), strings.HasPrefix(target, "/sse"):
		return http.StatusMethodNotAllowed // a stream with nowhere to go
	case target == "/nope":
		return http.StatusNotFound
	}
	return http.StatusOK
}

// allowOf is the Allow header of an answer to method on target.
func allowOf(target, method string) string {
	stream := strings.HasPrefix(target, "/ws") || strings.HasPrefix(target, "/sse")
	switch {
	case stream && method != http.MethodGet:
		return "GET, OPTIONS"
	case method == http.MethodOptions, method == http.MethodPost:
		return "GET, HEAD, OPTIONS"
	}
	return ""
}
