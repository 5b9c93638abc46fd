package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedOptions configure the in-process NATS server. The zero value
// listens on 127.0.0.1:4222 and stores JetStream data in a temporary
// directory removed at shutdown.
type EmbeddedOptions struct {
	Listen  string // client address host:port; port 0 picks a free one
	DataDir string // JetStream storage; empty means a temporary directory
	Logger  *slog.Logger
}

// Embedded is a NATS server running inside the ticker process.
type Embedded struct {
	srv *server.Server
	tmp string
}

// StartEmbedded starts an in-process NATS server with JetStream and waits
// until it accepts clients.
func StartEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:4222"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	host, portText, err := net.SplitHostPort(opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("embedded nats listen address %q: %w", opts.Listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("embedded nats listen address %q: bad port", opts.Listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	e := &Embedded{}
	if opts.DataDir == "" {
		if e.tmp, err = os.MkdirTemp("", "ticker-nats-"); err != nil {
			return nil, fmt.Errorf("embedded nats data dir: %w", err)
		}
		opts.DataDir = e.tmp
	}
	e.srv, err = server.NewServer(&server.Options{
		ServerName: "ticker-embedded",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   opts.DataDir,
		NoSigs:     true,
	})
	if err != nil {
		e.removeTemp()
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	log := newServerLog(opts.Logger)
	e.srv.SetLoggerV2(log, false, false, false)
	e.srv.Start()
	if err := e.waitReady(log, opts.Listen); err != nil {
		e.Shutdown()
		return nil, err
	}
	return e, nil
}

// Bounds of the wait for the server to accept clients.
const (
	readyTimeout = 10 * time.Second
	readyPoll    = 50 * time.Millisecond // ReadyForConnections sleeps 25ms between looks
)

// waitReady waits until the server accepts clients on listen, failing at
// once when it reports a fatal error (a port in use, JetStream that cannot
// start).
func (e *Embedded) waitReady(log *serverLog, listen string) error {
	fatal, deadline := log.fatal, time.Now().Add(readyTimeout)
	for !e.srv.ReadyForConnections(readyPoll) {
		select {
		case err := <-fatal:
			return startError(err, listen)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded nats: not ready for connections after %v", readyTimeout)
		}
	}
	if err := log.up(); err != nil {
		return startError(err, listen)
	}
	return nil
}

// startError is the error of a server that could not start on listen.
func startError(err error, listen string) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("embedded nats: listen on %s: %w", listen, syscall.EADDRINUSE)
	}
	return fmt.Errorf("embedded nats: %w", err)
}

// ClientURL is the nats:// URL clients connect to.
func (e *Embedded) ClientURL() string { return e.srv.ClientURL() }

// Subscriptions is the number of subscriptions the server holds, for tests
// and diagnostics.
func (e *Embedded) Subscriptions() uint32 { return e.srv.NumSubscriptions() }

// Shutdown stops the server and removes a temporary data directory.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	e.removeTemp()
}

func (e *Embedded) removeTemp() {
	if e.tmp != "" {
		_ = os.RemoveAll(e.tmp)
	}
}
