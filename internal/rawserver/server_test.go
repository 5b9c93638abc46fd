package rawserver

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go"
	"github.com/vmihailenco/msgpack/v5"
	"go.uber.org/goleak"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/codec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a server on a NATS of its own and returns its /ws URL and a
// NATS connection to publish with.
func start(t *testing.T, queueLen int) (string, *nats.Conn) {
	t.Helper()
	_, url, nc := startServer(t, queueLen)
	return url, nc
}

// startServer is start, also returning the server.
func startServer(t *testing.T, queueLen int) (*Server, string, *nats.Conn) {
	t.Helper()
	ns, err := broker.StartEmbedded(broker.EmbeddedOptions{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	s, err := New(Options{NATSURL: ns.ClientURL(), QueueLen: queueLen, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Close(ctx)
		hs.Close()
	})
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return s, "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws", nc
}

// killed reports whether the server has started to close a connection.
func (s *Server) killed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for c := range s.conns {
		select {
		case <-c.done:
			return true
		default:
		}
	}
	return false
}

func publish(t *testing.T, nc *nats.Conn, subject string, q codec.Quote) {
	t.Helper()
	b, err := msgpack.Marshal(&q)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish(subject, b); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, ctx context.Context, c *client.Conn, op string) client.Message {
	t.Helper()
	m, err := c.Next(ctx)
	if err != nil {
		t.Fatalf("waiting for %s: %v", op, err)
	}
	if m.Op != op {
		t.Fatalf("got %+v, want %s", m, op)
	}
	return m
}

func TestProtocol(t *testing.T) {
	url, nc := start(t, 0)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	for _, k := range []client.Codec{client.JSON, client.Msgpack} {
		t.Run(k.String(), func(t *testing.T) {
			c, err := client.Dial(ctx, url, client.DialOptions{Codec: k})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.Codec() != k {
				t.Fatalf("codec %s", c.Codec())
			}
			if err := c.Sub(ctx, 1, "quotes.AAPL", "quotes.AAPL", "quotes.MSFT"); err != nil {
				t.Fatal(err)
			}
			next(t, ctx, c, "ack")
			publish(t, nc, "quotes.AAPL", codec.Quote{Symbol: "AAPL", Last: 1.5, Seq: 7, TS: 9})
			m := next(t, ctx, c, "msg")
			var q codec.Quote
			if err := m.Decode(&q); err != nil || m.Subject != "quotes.AAPL" || q.Seq != 7 || q.Last != 1.5 || m.Snapshot {
				t.Errorf("got %+v %+v, %v", m, q, err)
			}
			if err := c.Ping(ctx, "p"); err != nil {
				t.Fatal(err)
			}
			if m := next(t, ctx, c, "pong"); m.ID != "p" {
				t.Errorf("pong id %v", m.ID)
			}
			if err := c.Send(ctx, map[string]any{"op": "sub", "id": 2}); err != nil {
				t.Fatal(err)
			}
			next(t, ctx, c, "error")
			if err := c.Unsub(ctx, 3, "quotes.AAPL", "quotes.MSFT"); err != nil {
				t.Fatal(err)
			}
			next(t, ctx, c, "ack")
			publish(t, nc, "quotes.AAPL", codec.Quote{Symbol: "AAPL", Seq: 8, TS: 10})
			if err := c.Ping(ctx, 4); err != nil {
				t.Fatal(err)
			}
			next(t, ctx, c, "pong") // no msg after the unsub's ack
		})
	}
}

func TestSlowConsumer(t *testing.T) {
	s, url, nc := startServer(t, 4)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, url, client.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Sub(ctx, 1, "quotes.BIG"); err != nil {
		t.Fatal(err)
	}
	next(t, ctx, c, "ack")
	// The client reads nothing more: socket buffers fill, then the queue.
	// It reads again only once the server has given up on it, well within
	// the 5 s coder/websocket allows the close frame to wait behind the
	// frame that is stuck in the socket.
	big := strings.Repeat("x", 256<<10)
	for i := range 200 {
		b, err := msgpack.Marshal(&codec.Quote{Symbol: big, Seq: uint64(i + 1), TS: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := nc.Publish("quotes.BIG", b); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	for !s.killed() {
		if ctx.Err() != nil {
			t.Fatal("the server never closed the slow connection")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for {
		_, err := c.Next(ctx)
		if err == nil {
			continue
		}
		if code := websocket.CloseStatus(err); code != websocket.StatusPolicyViolation {
			t.Fatalf("closed with %v (%v), want 1008", code, err)
		}
		if !strings.Contains(err.Error(), "slow consumer") {
			t.Errorf("close reason: %v", err)
		}
		return
	}
}
