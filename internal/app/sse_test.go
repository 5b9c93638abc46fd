package app

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

// sseEvent is one server-sent event: its name ("" for a message) and data.
type sseEvent struct{ name, data string }

// openSSE opens /sse with query and returns a function reading the next
// event, comments included (as name ":").
func openSSE(t *testing.T, a *App, query string, header http.Header) (*http.Response, func() sseEvent) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+a.Addr()+"/sse?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func() sseEvent {
		t.Helper()
		var ev sseEvent
		for {
			select {
			case l, ok := <-lines:
				switch {
				case !ok:
					t.Fatal("the stream ended")
				case l == "" && (ev.data != "" || ev.name != ""):
					return ev
				case strings.HasPrefix(l, ":"):
					return sseEvent{name: ":", data: strings.TrimSpace(l[1:])}
				case strings.HasPrefix(l, "event: "):
					ev.name = l[len("event: "):]
				case strings.HasPrefix(l, "data: "):
					ev.data = l[len("data: "):]
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no event for 10 s")
			}
		}
	}
	return resp, next
}

// nextMsg skips heartbeats and named events up to the next message.
func nextMsg(t *testing.T, next func() sseEvent) map[string]any {
	t.Helper()
	for {
		ev := next()
		if ev.name != "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ev.data), &m); err != nil {
			t.Fatalf("event data %q: %v", ev.data, err)
		}
		return m
	}
}

func TestSSEStreamsSnapshotsThenLiveUpdatesLikeTheWebSocket(t *testing.T) {
	a := startApp(t, nil)
	ws := dial(t, a, codec.JSON) // so that the gateway follows quotes.X
	sub(t, ws, 1, "quotes.X")
	p := newPublisher(t, a)
	p.quote("X", 1)
	next(t, ws, "msg")

	resp, next := openSSE(t, a, "subjects=quotes.X,scores.nba.*", nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	if m := nextMsg(t, next); m["subject"] != "quotes.X" || m["snapshot"] != true {
		t.Fatalf("first message %v, want the snapshot of quotes.X", m)
	}
	p.quote("X", 2)
	p.score("nba", "g7", 1, 0)
	got := map[string]bool{}
	for range 2 {
		m := nextMsg(t, next)
		if m["op"] != "msg" || m["snapshot"] != nil {
			t.Fatalf("live message %v", m)
		}
		got[m["subject"].(string)] = true
	}
	if !got["quotes.X"] || !got["scores.nba.g7"] {
		t.Fatalf("live subjects %v", got)
	}
	if line := metricLine(t, a, `ticker_connections{codec="sse"}`); line != `ticker_connections{codec="sse"} 1` {
		t.Fatalf("%q", line)
	}
}

func TestSSERequestsThatCannotStreamAreAnsweredWithAnError(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.MaxConns = 1 })
	for _, tc := range []struct {
		name, query, origin string
		status              int
		code                string
	}{
		{"no subjects", "", "", http.StatusBadRequest, "bad_request"},
		{"a bad subject", "subjects=quotes..X", "", http.StatusBadRequest, "bad_subject"},
		{"a forbidden subject", "subjects=news.x", "", http.StatusForbidden, "forbidden"},
		{"a foreign origin", "subjects=quotes.X", "https://evil.example", http.StatusForbidden, "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://"+a.Addr()+"/sse?"+tc.query, nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e struct{ Op, Code, Msg string }
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || e.Op != "error" || e.Code != tc.code {
				t.Fatalf("%s %+v, want %d %s", resp.Status, e, tc.status, tc.code)
			}
		})
	}
	t.Run("over the connection limit", func(t *testing.T) {
		barrier(t, dial(t, a, codec.JSON), "the one allowed")
		resp, err := http.Get("http://" + a.Addr() + "/sse?subjects=quotes.X")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("%s, want 503", resp.Status)
		}
	})
}

func TestSSEStreamsGetHeartbeatsAndACloseEventWhenTheGatewayDrains(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.PingInterval = 200 * time.Millisecond })
	_, next := openSSE(t, a, "subjects=quotes.X", nil)
	for pings := 0; pings < 2; { // the first at once, then every PingInterval/2
		if next().name == ":" {
			pings++
		}
	}
	done := make(chan error, 1)
	go func() { done <- a.Shutdown(testCtx(t)) }()
	for {
		ev := next()
		if ev.name != "close" {
			continue
		}
		var c struct {
			Code   int
			Reason string
		}
		if err := json.Unmarshal([]byte(ev.data), &c); err != nil || c.Code != 1001 {
			t.Fatalf("close event %q (%v), want code 1001", ev.data, err)
		}
		break
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
