package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/vmihailenco/msgpack/v5"
	"go.uber.org/goleak"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startApp runs a ticker on free loopback ports with the built-in feed off,
// so the test publishes exactly what it checks.
func startApp(t *testing.T, change func(*Config)) *App {
	t.Helper()
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.NATSListen = "127.0.0.1:0"
	cfg.Feed = FeedOff
	cfg.DrainWindow = 100 * time.Millisecond
	if change != nil {
		change(&cfg)
	}
	a, err := Start(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return a
}

func wsURL(a *App) string { return "ws://" + a.Addr() + "/ws" }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// publisher is a feed publisher on the app's NATS with per-subject seq.
type publisher struct {
	t   *testing.T
	nc  *nats.Conn
	seq map[string]uint64
}

func newPublisher(t *testing.T, a *App) *publisher {
	t.Helper()
	nc, err := nats.Connect(a.NATSURL())
	if err != nil {
		t.Fatalf("nats connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return &publisher{t: t, nc: nc, seq: make(map[string]uint64)}
}

// quote publishes a quote for symbol and returns its seq.
func (p *publisher) quote(symbol string, last float64) uint64 {
	p.t.Helper()
	subject := codec.QuoteSubject(symbol)
	p.seq[subject]++
	q := codec.Quote{Symbol: symbol, Bid: last - 0.01, Ask: last + 0.01, Last: last, Size: 100,
		Volume: int64(p.seq[subject]) * 100, Seq: p.seq[subject], TS: time.Now().UnixNano()}
	p.publish(subject, &q)
	return q.Seq
}

// score publishes a score for a game and returns its seq.
func (p *publisher) score(league, game string, home, away int) uint64 {
	p.t.Helper()
	subject := codec.ScoreSubject(league, game)
	p.seq[subject]++
	s := codec.Score{League: league, Game: game, Home: "BOS", Away: "LAL", HomeScore: home, AwayScore: away,
		Period: 1, Clock: "12:00", Status: "live", Seq: p.seq[subject], TS: time.Now().UnixNano()}
	p.publish(subject, &s)
	return s.Seq
}

func (p *publisher) publish(subject string, v any) {
	p.t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		p.t.Fatal(err)
	}
	p.raw(subject, b)
}

func (p *publisher) raw(subject string, b []byte) {
	p.t.Helper()
	if err := p.nc.Publish(subject, b); err != nil {
		p.t.Fatal(err)
	}
	if err := p.nc.Flush(); err != nil {
		p.t.Fatal(err)
	}
}

// wire is the client's name for the encoding k.
func wire(k codec.Kind) client.Codec {
	if k == codec.Msgpack {
		return client.Msgpack
	}
	return client.JSON
}

func dial(t *testing.T, a *App, k codec.Kind) *client.Conn {
	t.Helper()
	c, err := client.Dial(testCtx(t), wsURL(a), client.DialOptions{Codec: wire(k)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// next reads the next message and fails the test if it is not op.
func next(t *testing.T, c *client.Conn, op string) client.Message {
	t.Helper()
	m, err := c.Next(testCtx(t))
	if err != nil {
		t.Fatalf("waiting for %s: %v", op, err)
	}
	if m.Op != op {
		t.Fatalf("got %+v, want op %q", m, op)
	}
	return m
}

// sub subscribes and waits for the ack carrying id.
func sub(t *testing.T, c *client.Conn, id int, subjects ...string) {
	t.Helper()
	if err := c.Sub(testCtx(t), id, subjects...); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c, "ack"); fmt.Sprint(m.ID) != fmt.Sprint(id) {
		t.Fatalf("ack id %v, want %d", m.ID, id)
	}
}

// barrier pings and expects the pong as the very next message: nothing
// queued before the ping may be pending after it.
func barrier(t *testing.T, c *client.Conn, id string) {
	t.Helper()
	if err := c.Ping(testCtx(t), id); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c, "pong"); m.ID != id {
		t.Fatalf("pong id %v, want %s", m.ID, id)
	}
}

func httpGet(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func metricLine(t *testing.T, a *App, name string) string {
	t.Helper()
	_, body, _ := httpGet(t, "http://"+a.Addr()+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name+" ") || strings.HasPrefix(line, name+"{") {
			return line
		}
	}
	return ""
}

func dialOffer(t *testing.T, a *App, subprotocol string) (*client.Conn, error) {
	t.Helper()
	c, err := client.Dial(testCtx(t), wsURL(a), client.DialOptions{Subprotocol: subprotocol})
	if err == nil {
		t.Cleanup(func() { _ = c.Close() })
	}
	return c, err
}
