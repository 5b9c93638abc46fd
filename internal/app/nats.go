package app

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/ticker-dev/ticker/internal/broker"
)

// startNATS starts the embedded NATS server, unless the configuration names
// one (--nats-url), and settles the URL the bus connects to.
func (a *App) startNATS() error {
	if a.cfg.NATSURL != "" {
		a.natsURL = a.cfg.NATSURL
		return nil
	}
	e, err := broker.StartEmbedded(broker.EmbeddedOptions{Listen: a.cfg.NATSListen, DataDir: a.cfg.DataDir, Logger: a.log})
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w (another ticker or NATS server?): give this one's embedded NATS another address with --nats-listen (port 0: any free port), or join that server with --nats-url nats://%s", err, a.cfg.NATSListen)
	}
	if err != nil {
		return err
	}
	a.embedded = e
	a.natsURL = e.ClientURL()
	a.log.Info("embedded nats listening", "url", a.natsURL)
	return nil
}

// connectBus connects to NATS. The bus delivers nothing until startBus; what
// arrives or reconnects before then waits for it.
func (a *App) connectBus() error {
	bus, err := broker.Connect(broker.Options{
		URL:     a.natsURL,
		Stream:  a.cfg.stream(),
		Logger:  a.log,
		Metrics: broker.NewMetrics(a.reg),
	})
	if err != nil {
		return err
	}
	a.bus = bus
	return a.ensureStream()
}

// streamCheckTimeout bounds the creation or check of the snapshot stream.
const streamCheckTimeout = 10 * time.Second

// ensureStream creates or checks the snapshot stream when NATS is there at
// start, failing Start with an error that says what to do. The bus checks
// again each time it connects (see broker.Bus.Start), so a NATS that comes
// later gets its stream too.
func (a *App) ensureStream() error {
	if !a.bus.Connected() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), streamCheckTimeout)
	defer cancel()
	return a.bus.EnsureStream(ctx)
}
