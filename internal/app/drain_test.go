package app

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestDrainClosesClientsWith1001SpreadOverTheWindow(t *testing.T) {
	const n, window = 8, 1600 * time.Millisecond
	a := startApp(t, func(c *Config) { c.DrainWindow = window })
	ends := make(chan time.Time, n)
	codes := make(chan websocket.StatusCode, n)
	for range n {
		c := dial(t, a, codec.JSON)
		sub(t, c, 1, "quotes.X")
		go func() {
			for {
				if _, err := c.Next(context.Background()); err != nil {
					ends <- time.Now()
					codes <- websocket.CloseStatus(err)
					return
				}
			}
		}()
	}
	done := make(chan error, 1)
	go func() { done <- a.Shutdown(testCtx(t)) }()

	// At once: not ready, and no new connections.
	waitFor(t, "/readyz to answer 503", func() bool {
		code, _, _ := httpGet(t, "http://"+a.Addr()+"/readyz")
		return code == http.StatusServiceUnavailable
	})
	var times []time.Time
	for range n {
		times = append(times, <-ends)
		if code := <-codes; code != websocket.StatusGoingAway {
			t.Fatalf("closed with %d, want 1001", code)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	// The gateway waits window/n between closes, so the spread can only be
	// longer than this on a slow machine, never shorter.
	if spread := times[n-1].Sub(times[0]); spread < window*(n-1)/n/2 {
		t.Fatalf("closes spread over %v, want most of the %v window", spread, window)
	}
}

// A drain of many connections, each closed in its turn, tells every client
// 1001 with a close frame (none sees 1006) and ends cleanly.
func TestADrainOfManyConnectionsTellsEveryClient1001(t *testing.T) {
	const n = 1500
	a := startApp(t, func(c *Config) { c.DrainWindow, c.Limits.AcceptRate = time.Second, -1 })
	codes := make(chan websocket.StatusCode, n)
	for range n {
		c := dial(t, a, codec.JSON)
		sub(t, c, 1, "quotes.MANY")
		go func() {
			for {
				if _, err := c.Next(context.Background()); err != nil {
					codes <- websocket.CloseStatus(err)
					return
				}
			}
		}()
	}
	p := newPublisher(t, a)
	p.quote("MANY", 100)
	if err := a.Shutdown(testCtx(t)); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	got := map[websocket.StatusCode]int{}
	for range n {
		got[<-codes]++
	}
	if got[websocket.StatusGoingAway] != n {
		t.Fatalf("close codes %v, want all %d 1001", got, n)
	}
}
