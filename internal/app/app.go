package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/feed"
	"github.com/ticker-dev/ticker/internal/gateway"
	"github.com/ticker-dev/ticker/internal/subscribe"
	"github.com/ticker-dev/ticker/web"
)

// App is a running ticker process.
type App struct {
	cfg      Config
	log      *slog.Logger
	embedded *broker.Embedded
	bus      *broker.Bus
	hub      *fanout.Hub
	gw       *gateway.Server
	http     *http.Server
	ln       net.Listener
	natsURL  string

	stopFeed context.CancelFunc
	wg       sync.WaitGroup
	serveErr chan error
}

// Start brings a ticker up: it returns once the gateway listens. Stop it
// with Shutdown.
func Start(cfg Config, log *slog.Logger) (a *App, err error) {
	if log == nil {
		log = slog.Default()
	}
	allow, err := subscribe.NewAllow(cfg.Allow)
	if err != nil {
		return nil, fmt.Errorf("--allow: %w", err)
	}
	if err := gateway.ValidateOrigins(cfg.AllowedOrigins); err != nil {
		return nil, fmt.Errorf("--allowed-origins: %w", err)
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	verifier, err := auth.New(cfg.Auth)
	if err != nil {
		return nil, fmt.Errorf("jwt: %w", err)
	}
	started := &App{cfg: cfg, log: log, serveErr: make(chan error, 1)}
	a = started
	defer func() {
		if err != nil {
			started.close() // a is nil by now
		}
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	a.natsURL = cfg.NATSURL
	if a.natsURL == "" {
		a.embedded, err = broker.StartEmbedded(broker.EmbeddedOptions{Listen: cfg.NATSListen, DataDir: cfg.DataDir, Logger: log})
		if err != nil {
			return nil, err
		}
		a.natsURL = a.embedded.ClientURL()
		log.Info("embedded nats listening", "url", a.natsURL)
	}

	// Updates flow one way: the bus connects and delivers nothing yet, the
	// hub is built on it, then the bus starts handing the hub its updates
	// and resyncs (what came before waits for Start).
	a.bus, err = broker.Connect(broker.Options{
		URL:     a.natsURL,
		Stream:  cfg.stream(),
		Logger:  log,
		Metrics: broker.NewMetrics(reg),
	})
	if err != nil {
		return nil, err
	}
	if err := a.ensureStream(); err != nil {
		return nil, err
	}
	a.hub = fanout.NewHub(fanout.Options{
		MaxQueueBytes: cfg.MaxQueueBytes,
		SlowTimeout:   cfg.SlowTimeout,
		MaxBatch:      cfg.MaxBatch,
		MaxBatchBytes: cfg.MaxBatchBytes,
		FlushInterval: cfg.FlushInterval,
		Bus:           a.bus,
		Metrics:       fanout.NewMetrics(reg),
		Logger:        log,
	})
	a.bus.Start(a.hub.Deliver, a.hub.Resync)

	a.gw = gateway.New(gateway.Options{
		Hub:            a.hub,
		Policy:         subscribe.Policy{Allow: allow, MaxSubs: cfg.MaxSubs},
		OriginPatterns: cfg.AllowedOrigins,
		Ready:          a.bus.Connected,
		Gatherer:       reg,
		Page:           web.Handler(),
		Limits:         cfg.Limits,
		Auth:           verifier,
		Metrics:        gateway.NewMetrics(reg),
		Logger:         log,
	})

	if a.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	a.http = &http.Server{
		Handler:           a.gw,
		ReadHeaderTimeout: cfg.HandshakeTimeout,
		IdleTimeout:       time.Minute,
		ConnState:         a.gw.ConnState,
		ConnContext:       a.gw.ConnContext,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go func() {
		var err error
		if cfg.TLSCert != "" {
			err = a.http.ServeTLS(a.ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			err = a.http.Serve(a.ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.serveErr <- err
	}()
	log.Info("gateway listening", "addr", a.ln.Addr().String(), "tls", cfg.TLSCert != "")

	if cfg.feedOn() {
		a.startFeed()
	}
	return a, nil
}

func (a *App) startFeed() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stopFeed = cancel
	nc := a.bus.Conn()
	opts := feed.Options{Symbols: a.cfg.FeedSymbols, Games: a.cfg.FeedGames, Rate: a.cfg.FeedRate}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		stats, err := feed.Run(ctx, nc.Publish, opts)
		a.log.Info("built-in feed stopped", "published", stats.Published, "errors", stats.Errors, "err", err)
	}()
	a.log.Info("built-in feed publishing", "symbols", opts.Symbols, "games", opts.Games, "rate", opts.Rate)
}

// streamCheckTimeout bounds the creation or check of the snapshot stream.
const streamCheckTimeout = 10 * time.Second

// ensureStream creates or checks the snapshot stream when NATS is there at
// start, failing Start with an error that says what to do. The bus checks
// again each time it connects (see broker.Bus.Start), so a NATS
// that comes later gets its stream too.
func (a *App) ensureStream() error {
	if !a.bus.Connected() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), streamCheckTimeout)
	defer cancel()
	return a.bus.EnsureStream(ctx)
}

// Addr is the address the gateway listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// NATSURL is the NATS server the gateway uses (the embedded one's, if any).
func (a *App) NATSURL() string { return a.natsURL }

// Hub is the broadcast core, for tests that look inside.
func (a *App) Hub() *fanout.Hub { return a.hub }

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

// close stops whatever Start has started, in reverse order.
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
