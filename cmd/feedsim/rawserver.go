package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ticker-dev/ticker/internal/rawserver"
)

// rawserverCmd runs the reference fan-out server ticker is compared against.
type rawserverCmd struct {
	Listen   string `default:"127.0.0.1:8090" env:"FEEDSIM_LISTEN" help:"HTTP address: /ws (ticker.v1) and /metrics."`
	NATSURL  string `name:"nats-url" default:"nats://127.0.0.1:4222" env:"FEEDSIM_NATS_URL" help:"NATS server to subscribe to."`
	QueueLen int    `name:"queue-len" default:"256" env:"FEEDSIM_QUEUE_LEN" help:"Messages a subscriber may have pending; beyond: close 1008 slow consumer."`
}

// Run serves until ctx is done (SIGINT, SIGTERM), then closes every
// connection with 1001.
func (c *rawserverCmd) Run(ctx context.Context) error {
	s, err := rawserver.New(rawserver.Options{NATSURL: c.NATSURL, QueueLen: c.QueueLen, Logger: slog.Default()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		s.Close(ctx)
		return fmt.Errorf("listen %s: %w", c.Listen, err)
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	slog.Info("rawserver listening", "addr", ln.Addr().String(), "nats", c.NATSURL)

	select {
	case err = <-served:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Close(sctx)
	_ = hs.Shutdown(sctx)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
