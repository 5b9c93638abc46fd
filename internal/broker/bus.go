package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options configure a Bus. URL is required.
type Options struct {
	URL    string // nats://host:port, or several separated by commas
	Name   string // connection name shown by NATS; empty means "ticker"
	Logger *slog.Logger
	// Stream, when set, is the JetStream stream that keeps every subject's
	// last update; LastValues reads snapshots from it. nil means none.
	Stream *Stream
	// Metrics receives the bus's figures; nil means unregistered ones.
	Metrics *Metrics
}

// Bus is ticker's NATS connection. It keeps one subscription per watched
// pattern, reconnects forever, and lets nats.go resubscribe every pattern
// after a reconnect.
//
// A Bus is made in two steps, so that what consumes its updates can be built
// on top of it: Connect dials and accepts Watch at once, and Start names
// where the updates go. Nothing that happens in between is lost (see Start).
//
// Every subscription feeds one channel that one goroutine hands to the
// deliver function, so a pod watching thousands of patterns still has one
// delivery goroutine (nats.go's handler subscriptions would start one per
// pattern). When the channel is full, NATS drops the update and reports a
// slow consumer, which is counted.
type Bus struct {
	nc       *nats.Conn
	log      *slog.Logger
	metrics  *Metrics
	msgs     chan *nats.Msg // updates received, not yet delivered
	back     chan struct{}  // a token when the connection was made late or came back
	dialed   chan struct{}  // closed when nats.Connect has returned
	upAtDial bool           // nats.Connect made the connection itself; set before dialed closes
	done     chan struct{}  // closed by Close
	ctx      context.Context
	cancel   context.CancelFunc // ends ctx at Close
	wg       sync.WaitGroup     // the goroutines Start runs
	life     sync.Mutex         // guards started and closed
	started  bool
	closed   bool
	mu       sync.Mutex // guards watching
	watching map[string]*nats.Subscription

	js     jetstream.JetStream // nil without a stream
	stream Stream
}

// pendingUpdates bounds the updates received but not yet delivered.
const pendingUpdates = 1 << 16

// Connect dials NATS. It does not wait for a server: while none answers,
// Connected is false and the connection keeps retrying. The bus delivers
// nothing until Start. A connection Connect makes at once has missed
// nothing and is not caught up: its caller checks the stream with
// EnsureStream.
func Connect(opts Options) (*Bus, error) {
	if opts.URL == "" {
		return nil, errors.New("broker: no NATS URL")
	}
	if opts.Name == "" {
		opts.Name = "ticker"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	b := &Bus{
		log:      opts.Logger.With("component", "nats"),
		metrics:  opts.Metrics,
		msgs:     make(chan *nats.Msg, pendingUpdates),
		back:     make(chan struct{}, 1),
		dialed:   make(chan struct{}),
		done:     make(chan struct{}),
		watching: make(map[string]*nats.Subscription),
	}
	if b.metrics == nil {
		b.metrics = NewMetrics(nil)
	}
	nc, err := nats.Connect(opts.URL, b.natsOptions(opts.Name)...)
	b.upAtDial = err == nil && nc.IsConnected()
	close(b.dialed)
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", opts.URL, err)
	}
	b.nc = nc
	b.ctx, b.cancel = context.WithCancel(context.Background())
	if opts.Stream != nil {
		b.stream = opts.Stream.withDefaults()
		if b.js, err = jetstream.New(nc); err != nil {
			b.cancel()
			nc.Close()
			return nil, fmt.Errorf("jetstream: %w", err)
		}
	}
	b.metrics.bus.Store(b)
	return b, nil
}

// natsOptions are the connection's options: retry forever, log the
// connection's life, note each time it is made or comes back, count slow
// consumers.
func (b *Bus) natsOptions(name string) []nats.Option {
	return []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectJitter(250*time.Millisecond, time.Second),
		nats.RetryOnFailedConnect(true),
		nats.ConnectHandler(func(*nats.Conn) {
			b.log.Info("connected")
			// A first connection made late needs a catch-up like a
			// reconnect: subscribers may have come and missed updates.
			// One that Connect made itself missed nothing (its caller
			// checks the stream); resyncing it later would replay last
			// values to subscribers that just had them as snapshots.
			if <-b.dialed; !b.upAtDial {
				b.cameBack()
			}
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err == nil { // our own Close
				b.log.Info("disconnected")
				return
			}
			b.log.Warn("disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("reconnected", "url", nc.ConnectedUrlRedacted())
			b.cameBack()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, s *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrSlowConsumer) {
				b.metrics.slow.Inc()
			}
			b.log.Warn("async error", "subject", subjectOf(s), "err", err)
		}),
	}
}

// Start begins handing every update received to deliver (the payload is the
// caller's to keep) and, each time the connection is made late (after
// Connect returned) or comes back, checks the snapshot stream and calls resync, when not nil, on a goroutine
// of the bus; resync's ctx ends at Close. The hub replays last values there,
// so clients catch up on what they missed while the bus was away.
//
// Nothing before Start is lost: updates of patterns watched earlier wait in
// the bus's buffer and are delivered first, in order, and a connection made
// late or regained earlier is caught up right after Start, once however
// often it happened.
//
// Start is called once, with a deliver function; after Close it does
// nothing.
func (b *Bus) Start(deliver func(subject string, payload []byte), resync func(ctx context.Context)) {
	if deliver == nil {
		panic("broker: Bus.Start without a deliver function")
	}
	b.life.Lock()
	defer b.life.Unlock()
	if b.started {
		panic("broker: Bus.Start called twice")
	}
	b.started = true
	if b.closed {
		return
	}
	b.wg.Add(2)
	go b.deliverAll(deliver)
	go b.catchUp(resync)
}

// Close closes the connection and stops delivering; it waits for the
// goroutines Start began. It is idempotent, and valid without Start.
func (b *Bus) Close() {
	b.life.Lock()
	if !b.closed {
		b.closed = true
		b.cancel()
		b.nc.Close()
		close(b.done)
	}
	b.life.Unlock()
	b.wg.Wait()
}

// Connected reports whether the bus is connected to a NATS server now.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }

// Conn is the underlying NATS connection, for publishing.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// EnsureStream creates or checks the bus's snapshot stream (see the package
// function EnsureStream); without one it does nothing.
func (b *Bus) EnsureStream(ctx context.Context) error {
	if b.js == nil {
		return nil
	}
	return EnsureStream(ctx, b.nc, b.stream)
}

func subjectOf(s *nats.Subscription) string {
	if s == nil {
		return ""
	}
	return s.Subject
}
