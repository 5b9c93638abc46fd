package client_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/client"
)

const testSecret = "a test secret of at least thirty-two bytes"

// authPod runs a gateway that requires HS256 tokens signed with testSecret.
func authPod(t *testing.T) *gateway {
	t.Helper()
	key := filepath.Join(t.TempDir(), "jwt.key")
	if err := os.WriteFile(key, []byte(testSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	return pod(t, "", func(c *appConfig) { c.Auth.KeyFile = key })
}

func token(t *testing.T, expires time.Time) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "test-user", "exp": expires.Unix(), "subjects": []string{"quotes.>"},
	}).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAnExpiredTokenIsReplacedByAFreshOneFromTokenFunc gives the client a
// token that expires within seconds. Ahead of exp the client sends a fresh
// one from TokenFunc as an auth op: a gateway with token refresh takes it
// (TokenRefreshed) and keeps the connection; an older one closes the
// connection at exp (1008 token expired), and the client reconnects with a
// fresh token and subscribes again.
func TestAnExpiredTokenIsReplacedByAFreshOneFromTokenFunc(t *testing.T) {
	g := authPod(t)
	var calls atomic.Int32
	rec := newRecorder()
	c := newClient(t, rec.options(client.Options{URLs: []string{g.URL},
		TokenFunc: func(context.Context) (string, error) {
			if calls.Add(1) == 1 {
				return token(t, time.Now().Add(1500*time.Millisecond)), nil
			}
			return token(t, time.Now().Add(time.Hour)), nil
		}}))
	subscribe(t, c, "quotes.AAPL")
	run(t, c)
	first := rec.waitEvent(t, 0, client.Subscribed, "")
	rec.waitFor(t, "a refresh or a reconnect", func(_ []client.Update, events []client.Event) bool {
		closed := false
		for _, e := range events[first:] {
			switch {
			case e.State == client.TokenRefreshed && !closed:
				return true
			case e.State == client.Closed:
				if e.Code != client.StatusPolicyViolation || e.Reason != "token expired" || e.Final {
					t.Fatalf("closed with %d %q final %v, want 1008 token expired, not final", e.Code, e.Reason, e.Final)
				}
				closed = true
			case e.State == client.Subscribed && closed:
				return true
			}
		}
		return false
	})
	if n := calls.Load(); n < 2 {
		t.Errorf("TokenFunc called %d times, want a fresh token after the first", n)
	}
}

// TestAnAuthRefusalEndsRun: with an invalid token, reconnecting cannot
// help; Run returns the close after one attempt.
func TestAnAuthRefusalEndsRun(t *testing.T) {
	g := authPod(t)
	for _, tt := range []struct{ name, token, reason string }{
		{"invalid", "not.a.token", "invalid token"},
		{"missing", "", "missing token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			c := newClient(t, rec.options(client.Options{URLs: []string{g.URL}, Token: tt.token}))
			subscribe(t, c, "quotes.AAPL")
			err := run(t, c).wait(t)
			var ce *client.CloseError
			if !errors.As(err, &ce) || ce.Code != client.StatusPolicyViolation || ce.Reason != tt.reason {
				t.Fatalf("Run = %v, want a *CloseError 1008 %q", err, tt.reason)
			}
			connecting := 0
			for _, e := range rec.eventsFrom(0) {
				if e.State == client.Connecting {
					connecting++
				}
			}
			last := rec.eventsFrom(0)
			if e := last[len(last)-1]; connecting != 1 || e.State != client.Closed || !e.Final {
				t.Errorf("%d attempts, last event %+v; want one attempt and a final close", connecting, e)
			}
			if err := c.Subscribe("quotes.MSFT"); !errors.Is(err, client.ErrClosed) {
				t.Errorf("Subscribe after Run = %v, want ErrClosed", err)
			}
		})
	}
}

// TestARefreshedTokenThatGrantsLessRevokesPatterns: the first token grants
// quotes and scores, the one refreshed on the open connection quotes only;
// the gateway revokes scores.> (a Revoked event naming it) and acknowledges the
// new token (the fake-server test checks the pattern is not resubscribed).
func TestARefreshedTokenThatGrantsLessRevokesPatterns(t *testing.T) {
	g := authPod(t)
	var calls atomic.Int32
	rec := newRecorder()
	c := newClient(t, rec.options(client.Options{URLs: []string{g.URL},
		TokenFunc: func(context.Context) (string, error) {
			subjects := []string{"quotes.>"}
			exp := time.Now().Add(time.Hour)
			if calls.Add(1) == 1 {
				subjects, exp = []string{"quotes.>", "scores.>"}, time.Now().Add(1500*time.Millisecond)
			}
			s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
				"sub": "test-user", "exp": exp.Unix(), "subjects": subjects,
			}).SignedString([]byte(testSecret))
			return s, err
		}}))
	subscribe(t, c, "quotes.AAPL", "scores.>")
	run(t, c)
	first := rec.waitEvent(t, 0, client.Subscribed, "")
	revoked := rec.waitEvent(t, first, client.Revoked, "")
	e := rec.eventsFrom(revoked)[0]
	var se *client.ServerError
	if len(e.Patterns) != 1 || e.Patterns[0] != "scores.>" || !errors.As(e.Err, &se) || se.Code != client.CodeForbidden {
		t.Fatalf("revoked %v with %v, want scores.> forbidden", e.Patterns, e.Err)
	}
	rec.waitEvent(t, revoked, client.TokenRefreshed, "")
}
