package app

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// Raw HTTP/1.1 over a socket, for requests no well-behaved client sends:
// every route is tried with them (methods_test.go, bodies_test.go,
// deadlines_test.go, query_test.go).

// upgradeHeaders make a request a WebSocket upgrade.
const upgradeHeaders = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

// everyRoute is each route a client can reach, with the headers that make
// a GET of it what a real client sends.
var everyRoute = []struct{ target, headers string }{
	{"/ws", upgradeHeaders},
	{"/sse?subjects=quotes.AAPL", ""},
	{"/metrics", ""},
	{"/healthz", ""},
	{"/readyz", ""},
	{"/", ""},
	{"/nope", ""},
}

// rawConn is a keep-alive HTTP/1.1 connection driven by hand.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, a *App) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second)) // a hang fails the test
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// send writes a request head (and what follows it, as given).
func (c *rawConn) send(method, target, headers, rest string) {
	c.t.Helper()
	req := method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + rest
	if _, err := c.nc.Write([]byte(req)); err != nil {
		c.t.Fatal(err)
	}
}

// answer reads the answer to a request of method, body included.
func (c *rawConn) answer(method string) (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("answer body: %v", err)
	}
	return resp, string(b)
}

// closedByServer reports whether the server has closed the connection:
// reading gets EOF or a reset, not the test's deadline.
func (c *rawConn) closedByServer() bool {
	_, err := c.br.ReadByte()
	return err != nil && !isTimeout(err)
}

// waitQuiet waits until no stream is open and no request but the scrape
// itself is in flight: nothing the test did is left behind.
func waitQuiet(t *testing.T, a *App) {
	t.Helper()
	waitFor(t, "no SSE stream and no request in flight", func() bool {
		return metricLine(t, a, `ticker_connections{codec="sse"}`) == `ticker_connections{codec="sse"} 0` &&
			metricLine(t, a, "ticker_http_requests_in_flight") == "ticker_http_requests_in_flight 1"
	})
}

// isTimeout reports whether err is a deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
