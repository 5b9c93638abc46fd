package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

// refusingServer answers every connection as a gateway in a reconnect storm:
// refuse writes its refusal.
func refusingServer(t *testing.T, refuse func(w http.ResponseWriter, r *http.Request)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(refuse))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

// TestARefusedClientWaitsWithinTheHintAndMovesToAnotherURL: a gateway
// refuses the client, with 1013 and "retry after <N>ms" or with HTTP 503 and
// Retry-After; the client waits a random time up to the hint (its own
// ceiling is tiny here), not the policy floor, and connects to one of the
// other URLs.
func TestARefusedClientWaitsWithinTheHintAndMovesToAnotherURL(t *testing.T) {
	for _, tt := range []struct {
		name   string
		hint   time.Duration
		states []State // of both attempts
		refuse func(w http.ResponseWriter, r *http.Request)
	}{
		{"1013 with a hint in the reason", 300 * time.Millisecond, []State{Connecting, Open, Closed, Connecting, Open, Subscribed}, func(w http.ResponseWriter, r *http.Request) {
			ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{codec.SubprotocolJSON}})
			if err != nil {
				return
			}
			_ = ws.Close(websocket.StatusTryAgainLater, "try again later: too many new connections; retry after 300ms")
		}},
		{"HTTP 503 with Retry-After", time.Second, []State{Connecting, Closed, Connecting, Open, Subscribed}, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "try again later: too many new connections; retry after 1000ms", http.StatusServiceUnavailable)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			refusing := refusingServer(t, tt.refuse)
			b, c := newFakeServer(t), newFakeServer(t)
			e := newEvents()
			cl, err := New(Options{URLs: []string{refusing, b.URL, c.URL}, OnEvent: e.onEvent,
				Backoff: Backoff{Base: time.Millisecond, Cap: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			if err := cl.Subscribe("quotes.>"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- cl.Run(ctx) }()
			t.Cleanup(func() { cancel(); <-done })

			var conn *fakeConn
			select {
			case conn = <-b.conns:
			case conn = <-c.conns:
			case <-time.After(10 * time.Second):
				t.Fatal("no connection to the other URLs after the refusal")
			}
			t.Cleanup(func() { _ = conn.ws.CloseNow() })
			conn.ack(conn.readOp("sub"))
			ping := conn.readOp("ping")
			conn.write(codec.AppendPong(codec.JSON, nil, idOfOp(ping)))
			e.wait(t, "subscribed", func(_ []Update, evs []Event) bool { return hasState(evs, Subscribed) })

			e.mu.Lock()
			evs := append([]Event(nil), e.events...)
			e.mu.Unlock()
			var states []State
			var urls []string // of the attempts
			for _, ev := range evs {
				states = append(states, ev.State)
				switch ev.State {
				case Connecting:
					urls = append(urls, ev.URL)
				case Closed:
					if ev.URL != refusing || ev.Code != StatusTryAgainLater || ev.Final || ev.RetryHint != tt.hint ||
						ev.RetryIn < 0 || ev.RetryIn > tt.hint {
						t.Errorf("closed: %s %d %q final %v, hint %v, retry in %v; want 1013 from %s with hint %v, retry in [0, %v]",
							ev.URL, ev.Code, ev.Reason, ev.Final, ev.RetryHint, ev.RetryIn, refusing, tt.hint, tt.hint)
					}
				}
			}
			if !slices.Equal(states, tt.states) {
				t.Errorf("states %v, want %v", states, tt.states)
			}
			if len(urls) != 2 || urls[0] != refusing || urls[1] == refusing {
				t.Errorf("attempts to %v, want the second to another URL than %s, which refused", urls, refusing)
			}
		})
	}
}
