package app

import (
	"net/http"
	"strings"
	"testing"
)

func TestOddRequestFormsGetAClearAnswer(t *testing.T) {
	a := startApp(t, nil)
	for _, tc := range []struct {
		name, raw string
		status    int
		closes    bool   // the server closes the connection after the answer
		header    string // a header the answer must carry ("Name: value")
	}{
		{"an asterisk target on GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusBadRequest, true, ""},
		{"CONNECT", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", http.StatusNotFound, false, ""},
		{"TRACE", "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusMethodNotAllowed, false, "Allow: GET, HEAD, OPTIONS"},
		{"a lower-case method", "get /healthz HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusMethodNotAllowed, false, ""},
		{"HTTP/1.0", "GET /healthz HTTP/1.0\r\n\r\n", http.StatusOK, true, ""},
		{"no Host", "GET /metrics HTTP/1.1\r\n\r\n", http.StatusBadRequest, true, ""},
		{"two Hosts", "GET /metrics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", http.StatusBadRequest, true, ""},
		{"two Content-Lengths", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", http.StatusBadRequest, true, ""},
		{"a negative Content-Length", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", http.StatusBadRequest, true, ""},
		{"Content-Length and chunked", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			http.StatusRequestEntityTooLarge, true, ""},
		{"Expect: 100-continue with a body", "GET /sse?subjects=quotes.X HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
			http.StatusRequestEntityTooLarge, true, ""},
		{"an absolute target", "GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusOK, false, ""},
		{"a doubled slash", "GET //sse HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusTemporaryRedirect, false, "Location: /sse"},
		{"a trailing slash on a stream", "GET /ws/ HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusNotFound, false, ""},
		{"both codecs offered, msgpack first", "GET /ws HTTP/1.1\r\nHost: x\r\n" + upgradeHeaders +
			"Sec-WebSocket-Protocol: ticker.v1.msgpack, ticker.v1.json\r\n\r\n", http.StatusSwitchingProtocols, false,
			"Sec-Websocket-Protocol: ticker.v1.json"}, // the gateway's order decides
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, a)
			if _, err := c.nc.Write([]byte(tc.raw)); err != nil {
				t.Fatal(err)
			}
			resp, _ := c.answer(http.MethodGet)
			if resp.StatusCode != tc.status || resp.Close != tc.closes {
				t.Fatalf("%s (close %v), want %d (close %v)", resp.Status, resp.Close, tc.status, tc.closes)
			}
			if tc.header != "" {
				name, value, _ := strings.Cut(tc.header, ": ")
				if got := resp.Header.Get(name); got != value {
					t.Fatalf("%s: %q, want %q", name, got, value)
				}
			}
		})
	}
}
