package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/gateway"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// App is a running ticker process.
type App struct {
	cfg Config
	log *slog.Logger

	// Made by Start's steps, in this order; close undoes them in reverse.
	policy subscribe.Policy // checkConfig
	// compression is the WebSocket permessage-deflate mode; checkConfig
	compression websocket.CompressionMode
	verifier    *auth.Verifier // checkConfig; nil without auth
	reg         *prometheus.Registry
	embedded    *broker.Embedded // nil with --nats-url
	natsURL     string
	bus         *broker.Bus
	hub         *fanout.Hub
	gw          *gateway.Server
	ln          net.Listener
	http        *http.Server
	serveErr    chan error
	stopFeed    context.CancelFunc // nil without the built-in feed
	wg          sync.WaitGroup     // the built-in feed
}

// Start brings a ticker up: it returns once the gateway listens. Stop it
// with Shutdown. When a step fails, what the earlier ones made is undone.
//
// Updates flow one way, from the bus to the hub: the bus connects first and
// delivers nothing, the hub is built on it, and only then does the bus start
// handing it updates and resyncs.
func Start(cfg Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.Default()
	}
	a := &App{cfg: cfg, log: log, serveErr: make(chan error, 1)}
	steps := []func() error{
		a.checkConfig, // what does not parse fails before anything starts
		a.newRegistry, // the Prometheus registry of every component
		a.startNATS,   // the embedded server, unless --nats-url
		a.connectBus,  // the NATS connection; it delivers nothing yet
		a.newHub,      // the fanout core, watching patterns through the bus
		a.startBus,    // the bus delivers to the hub and resyncs it
		a.newGateway,  // the HTTP handlers
		a.listen,      // the gateway's address
		a.serve,       // the HTTP server
		a.startFeed,   // the built-in feed, when on
	}
	for _, step := range steps {
		if err := step(); err != nil {
			a.close()
			return nil, err
		}
	}
	return a, nil
}

// Addr is the address the gateway listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// NATSURL is the NATS server the gateway uses (the embedded one's, if any).
func (a *App) NATSURL() string { return a.natsURL }

// Done receives the HTTP server's fatal error, if it stops on its own.
func (a *App) Done() <-chan error { return a.serveErr }

// Shutdown drains the gateway (readiness false, new upgrades refused, open
// connections closed with 1001 over the drain window), then stops everything.
func (a *App) Shutdown(ctx context.Context) error {
	err := a.gw.Drain(ctx, a.cfg.DrainWindow)
	if herr := a.http.Shutdown(ctx); err == nil {
		err = herr
	}
	a.close()
	return err
}

// close undoes whatever Start's steps have done, in reverse order. Closing
// the bus undoes startBus (nothing reaches the hub any more, no resync runs)
// and connectBus at once, so it comes before the hub's close.
func (a *App) close() {
	if a.stopFeed != nil {
		a.stopFeed()
	}
	a.wg.Wait()
	if a.http != nil {
		_ = a.http.Close()
	} else if a.ln != nil {
		_ = a.ln.Close()
	}
	if a.bus != nil {
		a.bus.Close()
	}
	if a.hub != nil {
		a.hub.Close()
	}
	if a.embedded != nil {
		a.embedded.Shutdown()
	}
}
