package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// closedWith reads until the connection ends and returns the close error.
func closedWith(t *testing.T, c *client.Conn) error {
	t.Helper()
	for {
		if _, err := c.Next(testCtx(t)); err != nil {
			return err
		}
	}
}

func wantClose(t *testing.T, err error, code websocket.StatusCode, reason string) {
	t.Helper()
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != code || !strings.Contains(ce.Reason, reason) {
		t.Fatalf("connection ended with %v, want close %d %q", err, code, reason)
	}
}

// dialFrom dials the app from a given loopback source address.
func dialFrom(t *testing.T, a *App, src string) (*client.Conn, error) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	c, err := client.Dial(testCtx(t), wsURL(a), client.DialOptions{HTTPClient: hc})
	if err == nil {
		t.Cleanup(func() { _ = c.Close() })
	}
	return c, err
}

func TestConnectionsBeyondTheLimitAreClosedWith1013(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		src    [3]string // the third one is refused
		metric string
	}{
		{"per gateway", func(c *Config) { c.Limits.MaxConns = 2 },
			[3]string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}, "max_conns"},
		{"per source address", func(c *Config) { c.Limits.MaxConnsPerIP = 2 },
			[3]string{"127.0.0.1", "127.0.0.1", "127.0.0.1"}, "max_conns_per_ip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := startApp(t, tc.change)
			for _, src := range tc.src[:2] {
				c, err := dialFrom(t, a, src)
				if err != nil {
					t.Fatal(err)
				}
				barrier(t, c, "in")
			}
			c, err := dialFrom(t, a, tc.src[2])
			if err != nil {
				t.Fatal(err)
			}
			wantClose(t, closedWith(t, c), websocket.StatusTryAgainLater, "connection limit")
			want := fmt.Sprintf(`ticker_upgrades_rejected_total{reason=%q} 1`, tc.metric)
			if got := metricLine(t, a, fmt.Sprintf(`ticker_upgrades_rejected_total{reason=%q}`, tc.metric)); got != want {
				t.Fatalf("metric %q, want %q", got, want)
			}
			if tc.metric == "max_conns_per_ip" { // another address still gets in
				other, err := dialFrom(t, a, "127.0.0.9")
				if err != nil {
					t.Fatal(err)
				}
				barrier(t, other, "other address")
			}
		})
	}
}

func TestOpsBeyondTheRateAreRefusedThenTheConnectionIsClosed(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.OpRate, c.Limits.OpBurst = 0.01, 3 })
	c := dial(t, a, codec.JSON)
	for i := range 3 { // the burst
		barrier(t, c, fmt.Sprint("ok", i))
	}
	if err := c.Ping(testCtx(t), "over"); err != nil {
		t.Fatal(err)
	}
	m := next(t, c, "error")
	if m.Code != "rate_limited" || m.ID != "over" {
		t.Fatalf("got %+v, want rate_limited for id over", m)
	}
	// The client goes on: past a burst's worth of refused ops it is closed.
	for i := range 3 {
		if err := c.Ping(testCtx(t), i); err != nil {
			t.Fatal(err)
		}
	}
	wantClose(t, closedWith(t, c), websocket.StatusPolicyViolation, "rate limit exceeded")
	waitFor(t, "the limit to be counted", func() bool {
		return metricLine(t, a, `ticker_connections_limited_total{limit="op_rate"}`) == `ticker_connections_limited_total{limit="op_rate"} 1`
	})
	if got := metricLine(t, a, `ticker_protocol_errors_total{code="rate_limited"}`); !strings.HasSuffix(got, " 3") {
		t.Fatalf("rate_limited errors: %q, want 3", got)
	}
}

func TestAConfiguredReadLimitClosesLargerFramesWith1009(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.ReadLimit = 1024 })
	c := dial(t, a, codec.JSON)
	barrier(t, c, "small frames pass")
	big := `{"op":"ping","id":"` + strings.Repeat("x", 1100) + `"}`
	if err := c.WriteFrame(testCtx(t), false, []byte(big)); err != nil {
		t.Fatal(err)
	}
	wantClose(t, closedWith(t, c), websocket.StatusMessageTooBig, "")
}

func TestAConnectionThatHoldsNoSubscriptionIsClosedWhenIdle(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.IdleTimeout = 300 * time.Millisecond })
	idle := dial(t, a, codec.JSON)
	busy := dial(t, a, codec.JSON)
	sub(t, busy, 1, "quotes.X")
	left := dial(t, a, codec.JSON) // subscribes, then leaves every pattern
	sub(t, left, 1, "quotes.Y")
	if err := left.Unsub(testCtx(t), 2, "quotes.Y"); err != nil {
		t.Fatal(err)
	}
	next(t, left, "ack")

	wantClose(t, closedWith(t, idle), websocket.StatusPolicyViolation, "idle")
	wantClose(t, closedWith(t, left), websocket.StatusPolicyViolation, "idle")
	if got := metricLine(t, a, `ticker_connections_limited_total{limit="idle"}`); got != `ticker_connections_limited_total{limit="idle"} 2` {
		t.Fatalf("%q, want 2 idle closes", got)
	}
	time.Sleep(400 * time.Millisecond) // past the idle timeout: the subscribed one stays
	barrier(t, busy, "still here")
}

func TestAPeerThatDoesNotAnswerPingsIsDropped(t *testing.T) {
	a := startApp(t, func(c *Config) {
		c.Limits.PingInterval, c.Limits.PingTimeout = 100*time.Millisecond, 200*time.Millisecond
	})
	reading := dial(t, a, codec.JSON) // answers pings while it waits in Next
	sub(t, reading, 1, "quotes.X")
	deaf := dial(t, a, codec.JSON) // never reads, so never answers
	sub(t, deaf, 1, "quotes.X")
	readErr := make(chan error, 1)
	go func() { _, err := reading.Next(context.Background()); readErr <- err }()

	waitFor(t, "the deaf peer to be dropped", func() bool {
		return metricLine(t, a, "ticker_dead_peers_total") == "ticker_dead_peers_total 1"
	})
	waitFor(t, "its close to be counted", func() bool {
		return metricLine(t, a, `ticker_connections_closed_total{code="1006"}`) == `ticker_connections_closed_total{code="1006"} 1`
	})
	newPublisher(t, a).quote("X", 1)
	if err := <-readErr; err != nil {
		t.Fatalf("the reading peer lost its connection: %v", err)
	}
}

func TestAPeerThatIsSentUpdatesButDoesNotAnswerPingsIsStillDropped(t *testing.T) {
	// A connection written to skips pings (its socket times out unacknowledged
	// data), but not forever: one whose kernel takes every update while it
	// answers nothing is dropped all the same.
	a := startApp(t, func(c *Config) {
		c.Limits.PingInterval, c.Limits.PingTimeout = 50*time.Millisecond, 200*time.Millisecond
	})
	deaf := dial(t, a, codec.JSON) // never reads, so never answers
	sub(t, deaf, 1, "quotes.X")
	pub := newPublisher(t, a)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for last := 1.0; ; last++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				pub.quote("X", last)
			}
		}
	}()
	waitFor(t, "the deaf peer to be dropped", func() bool {
		return metricLine(t, a, "ticker_dead_peers_total") == "ticker_dead_peers_total 1"
	})
	close(stop)
	<-stopped
}

func TestAClientThatNeverFinishesItsHandshakeIsCutOff(t *testing.T) {
	a := startApp(t, func(c *Config) { c.HandshakeTimeout = 200 * time.Millisecond })
	conn, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Half a request, then nothing (slowloris).
	if _, err := conn.Write([]byte("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("a half request got %s", resp.Status)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a half-sent request open for 10 s")
	}
	waitFor(t, "the abandoned handshake to be counted", func() bool {
		return metricLine(t, a, "ticker_http_connections_abandoned_total") == "ticker_http_connections_abandoned_total 1"
	})
}
