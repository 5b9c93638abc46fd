package app

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/client"
)

const testSecret = "a test secret of at least thirty-two bytes"

// startAuthApp runs a ticker that requires HS256 tokens signed with
// testSecret.
func startAuthApp(t *testing.T) *App {
	t.Helper()
	key := filepath.Join(t.TempDir(), "jwt.key")
	if err := os.WriteFile(key, []byte(testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return startApp(t, func(c *Config) { c.Auth.KeyFile = key })
}

func token(t *testing.T, secret string, subjects []string, expires time.Time) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "test-user", "exp": expires.Unix(), "subjects": subjects,
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dialToken dials with the token in the Authorization header, or in the
// query when inQuery.
func dialToken(t *testing.T, a *App, tok string, inQuery bool) *client.Conn {
	t.Helper()
	url, h := wsURL(a), http.Header{}
	switch {
	case tok == "":
	case inQuery:
		url += "?token=" + tok
	default:
		h.Set("Authorization", "Bearer "+tok)
	}
	c, err := client.Dial(testCtx(t), url, client.DialOptions{Header: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestWithJWTAuthAConnectionWithoutAGoodTokenIsClosedWith1008(t *testing.T) {
	a := startAuthApp(t)
	hour := time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name, token, reason string
	}{
		{"no token", "", "missing token"},
		{"not a JWT", "garbage", "invalid token"},
		{"signed with another key", token(t, "another secret of at least thirty-two bytes", []string{"quotes.>"}, hour), "invalid token"},
		{"expired", token(t, testSecret, []string{"quotes.>"}, time.Now().Add(-time.Minute)), "token expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialToken(t, a, tc.token, false)
			wantClose(t, closedWith(t, c), websocket.StatusPolicyViolation, tc.reason)
		})
	}
	if got := metricLine(t, a, `ticker_upgrades_rejected_total{reason="auth"}`); !strings.HasSuffix(got, " 4") {
		t.Fatalf("%q, want 4 refused", got)
	}
}

func TestAJWTGrantsOnlyItsPatternsWithinTheAllowList(t *testing.T) {
	a := startAuthApp(t)
	tok := token(t, testSecret, []string{"quotes.AAPL", "scores.nba.*", "news.>"}, time.Now().Add(time.Hour))
	for _, inQuery := range []bool{false, true} {
		c := dialToken(t, a, tok, inQuery)
		sub(t, c, 1, "quotes.AAPL", "scores.nba.g1")
		for _, subject := range []string{"quotes.MSFT", "scores.nhl.g1", "news.x"} {
			if err := c.Sub(testCtx(t), 2, subject); err != nil {
				t.Fatal(err)
			}
			if m := next(t, c, "error"); m.Code != "forbidden" {
				t.Fatalf("%s: got %+v, want forbidden", subject, m)
			}
		}
	}
}

func TestAConnectionIsClosedWith1008WhenItsTokenExpires(t *testing.T) {
	a := startAuthApp(t)
	// exp has a resolution of seconds: this one expires within 1-2 s.
	c := dialToken(t, a, token(t, testSecret, []string{"quotes.>"}, time.Now().Add(2*time.Second)), false)
	sub(t, c, 1, "quotes.X")
	wantClose(t, closedWith(t, c), websocket.StatusPolicyViolation, "token expired")
}

func TestABadJWTKeyStopsTheGatewayFromStarting(t *testing.T) {
	short := filepath.Join(t.TempDir(), "short.key")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.Listen, cfg.NATSListen, cfg.Feed = "127.0.0.1:0", "127.0.0.1:0", FeedOff
	cfg.Auth.KeyFile = short
	if a, err := Start(cfg, nil); err == nil || a != nil {
		t.Fatalf("Start with a short HMAC secret = %v, %v; want an error", a, err)
	}
}

func TestSSEStreamsNeedATokenToo(t *testing.T) {
	a := startAuthApp(t)
	tok := token(t, testSecret, []string{"quotes.AAPL"}, time.Now().Add(time.Hour))
	for _, tc := range []struct {
		name, query string
		status      int
	}{
		{"no token", "subjects=quotes.AAPL", http.StatusUnauthorized},
		{"a subject the token does not grant", "subjects=quotes.MSFT&token=" + tok, http.StatusForbidden},
		{"a granted subject", "subjects=quotes.AAPL&token=" + tok, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get("http://" + a.Addr() + "/sse?" + tc.query)
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
