package client_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/app"
	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/codec"
)

// A gateway is an in-process ticker (internal/app) on free loopback ports,
// its built-in feed off so that a test publishes exactly what it checks.
type gateway struct {
	App  *app.App
	URL  string // its /ws
	once sync.Once
}

// startGateway starts a gateway joining natsURL, or with an embedded NATS
// server of its own when natsURL is empty.
func startGateway(natsURL string, change func(*app.Config)) (*gateway, error) {
	cfg := app.Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.NATSListen = "127.0.0.1:0"
	cfg.NATSURL = natsURL
	cfg.Feed = app.FeedOff
	cfg.DrainWindow = 100 * time.Millisecond
	if change != nil {
		change(&cfg)
	}
	a, err := app.Start(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	return &gateway{App: a, URL: "ws://" + a.Addr() + "/ws"}, nil
}

// Close drains the gateway (its clients get 1001) and stops it; once.
func (g *gateway) Close() error {
	var err error
	g.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = g.App.Shutdown(ctx)
	})
	return err
}

// pod is startGateway for a test, stopped at its end.
func pod(t *testing.T, natsURL string, change func(*app.Config)) *gateway {
	t.Helper()
	g, err := startGateway(natsURL, change)
	if err != nil {
		t.Fatalf("start gateway: %v", err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
	})
	return g
}

// startNATS runs an embedded NATS server (with JetStream) for gateways to
// join, stopped at the end of the test.
func startNATS(t *testing.T) string {
	t.Helper()
	e, err := broker.StartEmbedded(broker.EmbeddedOptions{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	return e.ClientURL()
}

// ready tells whether the gateway answers /readyz with 200.
func (g *gateway) ready() bool {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + g.App.Addr() + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// A publisher is a feed on NATS with a seq per subject of its own choosing.
type publisher struct {
	nc *nats.Conn
	js jetstream.JetStream
}

func newPublisher(url string, opts ...nats.Option) (*publisher, error) {
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("publisher: %w", err)
	}
	return &publisher{nc: nc, js: js}, nil
}

func testPublisher(t *testing.T, url string, opts ...nats.Option) *publisher {
	t.Helper()
	p, err := newPublisher(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.nc.Close)
	return p
}

// exampleTS is the publish time of the examples' updates, fixed so that
// their output is.
const exampleTS = 1732350000123456789

func quote(symbol string, last float64, seq uint64) codec.Quote {
	return codec.Quote{Symbol: symbol, Bid: last - 0.01, Ask: last + 0.01, Last: last, Size: 100,
		Volume: int64(seq) * 100, Seq: seq, TS: time.Now().UnixNano()}
}

func score(league, game string, home, away int, seq uint64) codec.Score {
	return codec.Score{League: league, Game: game, Home: "BOS", Away: "LAL", HomeScore: home, AwayScore: away,
		Period: 4, Clock: "02:31", Status: "live", Seq: seq, TS: time.Now().UnixNano()}
}

// publish sends v (a codec.Quote or codec.Score) on subject, as the feeds
// do: a msgpack map on core NATS.
func (p *publisher) publish(subject string, v any) error {
	b, err := msgpack.Marshal(v)
	if err == nil {
		err = p.nc.Publish(subject, b)
	}
	if err == nil {
		err = p.nc.Flush()
	}
	if err != nil {
		return fmt.Errorf("publish %s: %w", subject, err)
	}
	return nil
}

// store publishes v through JetStream and returns once the snapshot stream
// holds it: a sub made after that gets it as a snapshot on any pod.
func (p *publisher) store(subject string, v any) error {
	b, err := msgpack.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := p.js.Publish(ctx, subject, b); err != nil {
		return fmt.Errorf("store %s: %w", subject, err)
	}
	return nil
}

func (p *publisher) mustPublish(t *testing.T, subject string, v any) {
	t.Helper()
	if err := p.publish(subject, v); err != nil {
		t.Fatal(err)
	}
}

func (p *publisher) mustStore(t *testing.T, subject string, v any) {
	t.Helper()
	if err := p.store(subject, v); err != nil {
		t.Fatal(err)
	}
}

// appConfig is the gateway's configuration, for the tests that change it.
type appConfig = app.Config
