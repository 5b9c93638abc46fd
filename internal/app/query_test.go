package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAMalformedQueryIsABadRequest(t *testing.T) {
	a := startApp(t, nil)
	for _, tc := range []struct {
		target, headers string
		status          int
		errorObject     bool // an SSE refusal carries a ticker.v1 error object
	}{
		{"/sse?%zz", "", http.StatusBadRequest, true},
		{"/sse?subjects=quotes.X&%zz", "", http.StatusBadRequest, true},
		{"/sse?subjects=quotes.X;x", "", http.StatusBadRequest, true},
		{"/ws?%zz", upgradeHeaders, http.StatusBadRequest, false},
		{"/metrics?%zz", "", http.StatusOK, false}, // plain routes read no query
		{"/healthz?%zz", "", http.StatusOK, false},
	} {
		t.Run(tc.target, func(t *testing.T) {
			c := dialRaw(t, a)
			c.send(http.MethodGet, tc.target, tc.headers, "")
			resp, body := c.answer(http.MethodGet)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %q, want %d", resp.Status, body, tc.status)
			}
			if resp.StatusCode == http.StatusBadRequest && !strings.Contains(body, "malformed query") {
				t.Fatalf("body %q does not say the query is malformed", body)
			}
			if tc.errorObject {
				var e struct{ Op, Code, Msg string }
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Op != "error" || e.Code != "bad_request" {
					t.Fatalf("body %q (%v), want a bad_request error object", body, err)
				}
			}
		})
	}
}
