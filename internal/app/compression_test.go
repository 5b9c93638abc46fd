package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

// dialDeflate dials /ws offering permessage-deflate and returns the
// extensions the server agreed to.
func dialDeflate(t *testing.T, a *App) string {
	t.Helper()
	c, resp, err := websocket.Dial(testCtx(t), wsURL(a), &websocket.DialOptions{
		Subprotocols:    []string{codec.SubprotocolJSON},
		CompressionMode: websocket.CompressionNoContextTakeover,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(testCtx(t), websocket.MessageText, []byte(`{"op":"ping","id":1}`)); err != nil {
		t.Fatal(err)
	}
	if _, p, err := c.Read(testCtx(t)); err != nil || !strings.Contains(string(p), `"pong"`) {
		t.Fatalf("read %q, %v; want the pong", p, err)
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
	return resp.Header.Get("Sec-WebSocket-Extensions")
}

func TestWithCompressionAClientOfferingDeflateGetsIt(t *testing.T) {
	for _, mode := range []string{"no-context-takeover", "context-takeover"} {
		t.Run(mode, func(t *testing.T) {
			a := startApp(t, func(c *Config) { c.Compression = mode })
			if ext := dialDeflate(t, a); !strings.Contains(ext, "permessage-deflate") {
				t.Fatalf("Sec-WebSocket-Extensions %q, want permessage-deflate", ext)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		a := startApp(t, nil)
		if ext := dialDeflate(t, a); ext != "" {
			t.Fatalf("Sec-WebSocket-Extensions %q, want none", ext)
		}
	})
}

func TestABadMaxRateOrCompressionStopsTheGatewayFromStarting(t *testing.T) {
	for _, tc := range []struct {
		name, flag string
		change     func(*Config)
	}{
		{"negative max rate", "--max-rate", func(c *Config) { c.MaxRate = -1 }},
		{"max rate above 1000", "--max-rate", func(c *Config) { c.MaxRate = 1001 }},
		{"unknown compression", "--compression", func(c *Config) { c.Compression = "gzip" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.Listen, cfg.NATSListen, cfg.Feed = "127.0.0.1:0", "127.0.0.1:0", FeedOff
			tc.change(&cfg)
			a, err := Start(cfg, nil)
			if err == nil || a != nil || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("Start = %v, %v; want an error naming %s", a, err, tc.flag)
			}
		})
	}
}

func TestSSEMaxRateAndDeltaAreValidatedAsInASub(t *testing.T) {
	a := startApp(t, nil)
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"max_rate=2", http.StatusOK},
		{"max_rate=0.5&delta=true", http.StatusOK},
		{"delta=false", http.StatusOK},
		{"max_rate=fast", http.StatusBadRequest},
		{"max_rate=-1", http.StatusBadRequest},
		{"max_rate=1001", http.StatusBadRequest},
		{"max_rate=NaN", http.StatusBadRequest},
		{"max_rate=Inf", http.StatusBadRequest},
		{"max_rate=1&max_rate=2", http.StatusBadRequest},
		{"delta=yes", http.StatusBadRequest},
	} {
		t.Run(tc.query, func(t *testing.T) {
			resp, err := http.Get("http://" + a.Addr() + "/sse?subjects=quotes.SSE&" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("%s, want %d", resp.Status, tc.status)
			}
		})
	}
}
