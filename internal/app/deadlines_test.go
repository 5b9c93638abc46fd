package app

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestPipelinedAnswersNeverReadCostTheConnectionNotAGoroutineForever(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.RequestTimeout = 300 * time.Millisecond })
	c := dialRaw(t, a)
	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 10)
	}
	// Far more answers than the socket buffers hold, none of them read.
	var b strings.Builder
	for range 4000 {
		b.WriteString("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	if _, err := c.nc.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	// The write the gateway is stuck in times out, and it lets go.
	waitQuiet(t, a)
	_ = c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, c.br); err != nil && isTimeout(err) {
		t.Fatalf("the connection is still open: %v", err)
	}
}

func TestRequestsInFlightOnOneConnectionAreBounded(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	a := startApp(t, func(c *Config) {
		c.TLSCert, c.TLSKey = certFile, keyFile
		c.Limits.MaxRequestsPerConn = 2
	})
	// HTTP/2 multiplexes requests over one connection.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer hc.CloseIdleConnections()
	base := "https://" + a.Addr()
	for i := range 2 {
		resp, err := hc.Get(base + "/sse?subjects=quotes.S" + fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: %s over %s, want 200 over HTTP/2", i, resp.Status, resp.Proto)
		}
	}
	resp, err := hc.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a third request on the connection: %s, want 429", resp.Status)
	}
	want := `ticker_http_requests_refused_total{reason="in_flight"} 1`
	if got := metricLineTLS(t, a, hc, `ticker_http_requests_refused_total{reason="in_flight"}`); got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}

// metricLineTLS reads a metric over a connection of its own.
func metricLineTLS(t *testing.T, a *App, hc *http.Client, name string) string {
	t.Helper()
	own := &http.Client{Transport: hc.Transport.(*http.Transport).Clone()}
	defer own.CloseIdleConnections()
	resp, err := own.Get("https://" + a.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, name+" ") {
			return line
		}
	}
	return ""
}

func TestStreamsOutliveTheRequestTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	a := startApp(t, func(c *Config) {
		c.Limits.RequestTimeout = timeout
		c.Limits.PingInterval = timeout // SSE heartbeats every 100 ms
	})
	ws := dial(t, a, codec.JSON)
	_, event := openSSE(t, a, "subjects=quotes.X", nil)
	// The heartbeats after the first come every PingInterval/2: after six of
	// them both streams have lived past the deadlines they were admitted
	// under.
	for beats := 0; beats < 6; {
		if event().name == ":" {
			beats++
		}
	}
	barrier(t, ws, "still-open")
	p := newPublisher(t, a)
	sub(t, ws, 1, "quotes.X")
	p.quote("X", 1)
	if m := nextMsg(t, event); m["subject"] != "quotes.X" {
		t.Fatalf("the SSE stream got %v", m)
	}
	next(t, ws, "msg")
}
