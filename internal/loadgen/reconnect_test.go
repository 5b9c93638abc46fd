package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/app"
	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/codec"
)

// TestConnectionsOfADrainingGatewayReconnectToAnotherURL runs a load over two
// gateways on one NATS and drains the first while updates flow. Its
// connections (half of them) get 1001 and, after a random delay within the
// jitter, subscribe again on the second: the run ends with every connection
// level with the publisher (nothing lost: what was published while a
// connection moved counts as conflated), no disconnects, and one reconnect
// per drained connection, timed from the first 1001 to the last ack, also
// when child processes hold the connections.
// With --no-reconnect they are disconnects instead.
func TestConnectionsOfADrainingGatewayReconnectToAnotherURL(t *testing.T) {
	for _, tt := range []struct {
		name        string
		procs       int
		noReconnect bool
	}{{"reconnecting", 1, false}, {"reconnecting in 2 processes", 2, false}, {"with --no-reconnect", 1, true}} {
		t.Run(tt.name, func(t *testing.T) {
			natsURL := startNATS(t)
			first, second := startGateway(t, natsURL), startGateway(t, natsURL)
			cfg := smallLoad(first.ws, natsURL, codec.JSON)
			cfg.URLs = []string{first.ws, second.ws}
			cfg.MetricsURLs = []string{second.metrics}
			cfg.Duration = 4 * time.Second
			cfg.ReconnectJitter = 500 * time.Millisecond
			cfg.NoReconnect = tt.noReconnect
			cfg.Procs, cfg.Spawn = tt.procs, spawnSelf
			drained := cfg.Conns / 2 // round robin: every other connection is on the first

			ctx, cancel := context.WithCancel(t.Context())
			drainErr := make(chan error, 1)
			go func() { drainErr <- first.drainOnceDelivering(ctx) }()
			var progress bytes.Buffer
			cfg.Progress = &progress
			r, err := Run(t.Context(), cfg)
			cancel()
			if derr := <-drainErr; derr != nil {
				t.Fatal(derr)
			}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			t.Logf("delivered %d, conflated %d, lost %d, dup %d, reconnects %d, disconnects %v",
				r.Delivered, r.Conflated, r.Lost, r.Dup, r.Reconnects, r.Disconnects)
			opened := second.counter(t, "ticker_connections_opened_total")
			if tt.noReconnect {
				if r.Reconnects != 0 || r.Disconnects["1001"] != uint64(drained) || opened != float64(cfg.Conns-drained) {
					t.Errorf("reconnects %d, disconnects %v, the second gateway opened %v; want 0, 1001×%d, %d",
						r.Reconnects, r.Disconnects, opened, drained, cfg.Conns-drained)
				}
				return
			}
			switch {
			case r.Subscribed != cfg.Conns || r.ConnectErrors != 0:
				t.Errorf("%d subscribed, %d connect errors (%s)", r.Subscribed, r.ConnectErrors, r.FirstConnectError)
			case r.Reconnects != uint64(drained) || len(r.Disconnects) != 0:
				t.Errorf("reconnects %d, disconnects %v; want %d and none", r.Reconnects, r.Disconnects, drained)
			case opened != float64(cfg.Conns):
				t.Errorf("the second gateway opened %v connections, want its own %d and the %d drained", opened, cfg.Conns-drained, drained)
			case r.Delivered == 0 || r.Lost != 0 || r.Delivered+r.Conflated+r.Lost != r.Expected:
				t.Errorf("delivered %d conflated %d lost %d of %d expected", r.Delivered, r.Conflated, r.Lost, r.Expected)
			case r.Moves == nil || r.Moves.GoingAway != uint64(drained) || r.Moves.Resubscribed != uint64(drained) || r.Moves.SpanMs <= 0:
				t.Errorf("moves %+v, want %d closed with 1001 and back, timed", r.Moves, drained)
			case r.Refusals != 0:
				t.Errorf("%d refusals: the second gateway has no limit", r.Refusals)
			case !strings.Contains(progress.String(), fmt.Sprintf("reconnects=%d", drained)):
				t.Errorf("the progress lines never show the reconnects:\n%s", progress.String())
			}
		})
	}
}

// startNATS runs an embedded NATS server of the test's own, so that a
// gateway can drain without taking NATS away from the others.
func startNATS(t *testing.T) string {
	t.Helper()
	ns, err := broker.StartEmbedded(broker.EmbeddedOptions{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

// gateway is a ticker on a free loopback port joining a NATS server.
type gateway struct {
	a           *app.App
	ws, metrics string
	once        sync.Once
	err         error
}

func startGateway(t *testing.T, natsURL string) *gateway {
	t.Helper()
	cfg := app.Defaults()
	cfg.Listen, cfg.NATSURL, cfg.Feed, cfg.DrainWindow = "127.0.0.1:0", natsURL, app.FeedOff, 200*time.Millisecond
	a, err := app.Start(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start ticker: %v", err)
	}
	g := &gateway{a: a, ws: "ws://" + a.Addr() + "/ws", metrics: "http://" + a.Addr() + "/metrics"}
	t.Cleanup(func() {
		if err := g.shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return g
}

// shutdown drains and stops the gateway, once.
func (g *gateway) shutdown() error {
	g.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		g.err = g.a.Shutdown(ctx)
	})
	return g.err
}

// drainOnceDelivering shuts the gateway down (a drain: 1001 to every
// connection) as soon as it has delivered updates, or gives up when ctx ends.
func (g *gateway) drainOnceDelivering(ctx context.Context) error {
	for {
		if n, err := g.metric(ctx, "ticker_deliveries_total"); err == nil && n >= 100 {
			return g.shutdown()
		}
		select {
		case <-ctx.Done():
			return errors.New("the gateway delivered nothing to drain it under")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// counter reads one metric of the gateway, failing the test if it cannot.
func (g *gateway) counter(t *testing.T, name string) float64 {
	t.Helper()
	v, err := g.metric(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// metric reads the unlabelled metric name from the gateway's /metrics.
func (g *gateway) metric(ctx context.Context, name string) (float64, error) {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.metrics, nil)
	if err != nil {
		return 0, err
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("%s: no %s", g.metrics, name)
}
