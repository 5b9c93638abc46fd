package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ticker-dev/ticker/internal/gateway"
	"github.com/ticker-dev/ticker/web"
)

// newGateway makes the HTTP handlers: /ws, /sse, the dashboard, /metrics,
// /healthz and /readyz (ready while the bus is connected).
func (a *App) newGateway() error {
	cfg := a.cfg
	a.gw = gateway.New(gateway.Options{
		Hub:            a.hub,
		Policy:         a.policy,
		Compression:    a.compression,
		OriginPatterns: cfg.AllowedOrigins,
		Ready:          a.bus.Connected,
		Gatherer:       a.reg,
		Page:           web.Handler(),
		Limits:         cfg.Limits,
		Auth:           a.verifier,
		Metrics:        gateway.NewMetrics(a.reg),
		Logger:         a.log,
	})
	return nil
}

// listen takes the gateway's address, so that a busy one fails Start.
func (a *App) listen() error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.cfg.Listen, err)
	}
	a.ln = ln
	return nil
}

// serve runs the HTTP server on the listener; its end is reported on Done.
func (a *App) serve() error {
	cfg := a.cfg
	a.http = &http.Server{
		Handler:           a.gw,
		ReadHeaderTimeout: cfg.HandshakeTimeout,
		// The gateway answers OPTIONS * itself: net/http's own handler
		// reads an announced body with no deadline.
		DisableGeneralOptionsHandler: true,
		IdleTimeout:                  time.Minute,
		ConnState:                    a.gw.ConnState,
		ConnContext:                  a.gw.ConnContext,
		ErrorLog:                     slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
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
	a.log.Info("gateway listening", "addr", a.ln.Addr().String(), "tls", cfg.TLSCert != "")
	return nil
}
