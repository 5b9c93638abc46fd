package main

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/broker"
)

func TestRawserverServesAndDrains(t *testing.T) {
	ns, err := broker.StartEmbedded(broker.EmbeddedOptions{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	c, err := parse(t, "rawserver", "--listen", addr, "--nats-url", ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Rawserver.Run(ctx) }()

	tctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	var conn *client.Conn
	for conn == nil {
		if conn, err = client.Dial(tctx, "ws://"+addr+"/ws", client.DialOptions{}); err != nil {
			if tctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	defer conn.Close()
	if err := conn.Sub(tctx, 1, "quotes.AAPL"); err != nil {
		t.Fatal(err)
	}
	if m, err := conn.Next(tctx); err != nil || m.Op != "ack" {
		t.Fatalf("got %+v, %v; want the ack", m, err)
	}
	stop() // SIGTERM
	if _, err := conn.Next(tctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("connection ended with %v, want 1001", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestRawserverNeedsNATS(t *testing.T) {
	c, err := parse(t, "rawserver", "--listen", "127.0.0.1:0", "--nats-url", "nats://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Rawserver.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "connect to NATS") {
		t.Errorf("Run without NATS = %v", err)
	}
}
