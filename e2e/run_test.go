package e2e

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/client"
)

func TestTheDefaultRunServesLiveDataAndDrainsOnSIGTERM(t *testing.T) {
	addr := freeAddr(t)
	// No flags but free ports: embedded NATS and the built-in feed.
	p := start(t, "ticker", nil, "--listen", addr, "--nats-listen", "127.0.0.1:0", "--drain-window", "4s")
	waitReady(t, addr)
	if got := status(addr, "/"); got != http.StatusOK {
		t.Fatalf("dashboard answered %d", got)
	}

	ctx := testCtx(t, 30*time.Second)
	var conns []*client.Conn
	for range 2 {
		c, err := client.Dial(ctx, "ws://"+addr+"/ws", client.DialOptions{Codec: client.JSON})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	c := conns[0]
	if err := c.Sub(ctx, "live", "quotes.*", "scores.>"); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for len(seen) < 10 { // the built-in feed moves many subjects
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Op == "msg" {
			seen[m.Subject] = true
		}
	}

	p.signal(t, syscall.SIGTERM)
	// While the drain window runs, the pod says it is not ready and refuses
	// new upgrades; one of the two clients is still open until the end.
	waitStatus(t, addr, "/readyz", http.StatusServiceUnavailable)
	if got := status(addr, "/ws"); got != http.StatusServiceUnavailable {
		t.Errorf("a new /ws request during the drain answered %d, want 503", got)
	}
	for _, c := range conns {
		for {
			_, err := c.Next(ctx)
			if err == nil {
				continue
			}
			if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
				t.Fatalf("closed with %v (%v), want 1001", got, err)
			}
			break
		}
	}
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("ticker exited %d after SIGTERM, want 0", code)
	}
}

// waitStatus polls path until it answers want.
func waitStatus(t *testing.T, addr, path string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for status(addr, path) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered %d", path, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
