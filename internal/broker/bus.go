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

// Options configure a Bus. URL and Deliver are required.
type Options struct {
	URL     string                               // nats://host:port, or several separated by commas
	Name    string                               // connection name shown by NATS; empty means "ticker"
	Deliver func(subject string, payload []byte) // receives every update; payload is the caller's to keep
	Logger  *slog.Logger
	// Reconnected, when set, is called after the connection is made or came
	// back and nats.go resubscribed every pattern, on a goroutine of the bus;
	// ctx ends when the bus closes. The hub replays last values there, so
	// clients catch up on what they missed while the bus was away.
	Reconnected func(ctx context.Context)
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
// Every subscription feeds one channel that one goroutine hands to Deliver,
// so a pod watching thousands of patterns still has one delivery goroutine
// (nats.go's handler subscriptions would start one per pattern). When the
// channel is full, NATS drops the update and reports a slow consumer, which
// is counted.
type Bus struct {
	nc        *nats.Conn
	log       *slog.Logger
	msgs      chan *nats.Msg
	done      chan struct{}
	back      chan struct{} // a token when the connection came back
	ctx       context.Context
	cancel    context.CancelFunc // ends ctx at Close
	closeOnce sync.Once
	wg        sync.WaitGroup
	metrics   *Metrics
	mu        sync.Mutex
	watching  map[string]*nats.Subscription

	js     jetstream.JetStream // nil without a stream
	stream Stream
}

// pendingUpdates bounds the updates received but not yet delivered.
const pendingUpdates = 1 << 16

// Connect dials NATS. It does not wait for a server: while none answers,
// Connected is false and the connection keeps retrying.
func Connect(opts Options) (*Bus, error) {
	if opts.URL == "" || opts.Deliver == nil {
		return nil, errors.New("broker: URL and Deliver are required")
	}
	if opts.Name == "" {
		opts.Name = "ticker"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	b := &Bus{
		log:      opts.Logger.With("component", "nats"),
		msgs:     make(chan *nats.Msg, pendingUpdates),
		done:     make(chan struct{}),
		back:     make(chan struct{}, 1),
		watching: make(map[string]*nats.Subscription),
		metrics:  opts.Metrics,
	}
	if b.metrics == nil {
		b.metrics = NewMetrics(nil)
	}
	nc, err := nats.Connect(opts.URL,
		nats.Name(opts.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.ReconnectJitter(250*time.Millisecond, time.Second),
		nats.RetryOnFailedConnect(true),
		nats.ConnectHandler(func(*nats.Conn) {
			b.log.Info("connected")
			b.cameBack() // a first connection made after a failed one needs the same
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
	)
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
	b.wg.Add(2)
	go b.deliverAll(opts.Deliver)
	go b.catchUp(opts.Reconnected)
	b.metrics.bus.Store(b)
	return b, nil
}

// deliverAll hands every update received to deliver until Close.
func (b *Bus) deliverAll(deliver func(subject string, payload []byte)) {
	defer b.wg.Done()
	for {
		select {
		case m := <-b.msgs:
			deliver(m.Subject, m.Data)
		case <-b.done:
			return
		}
	}
}

// cameBack asks catchUp to run.
func (b *Bus) cameBack() {
	select {
	case b.back <- struct{}{}:
	default: // one catch-up pending is enough
	}
}

// catchUp runs each time the connection is made or comes back, until Close:
// it creates or checks the snapshot stream (a server that lost its storage
// lost the stream too) and calls reconnected.
func (b *Bus) catchUp(reconnected func(ctx context.Context)) {
	defer b.wg.Done()
	for {
		select {
		case <-b.back:
			if err := b.EnsureStream(b.ctx); err != nil && b.ctx.Err() == nil {
				b.log.Error("snapshot stream unusable; snapshots come only from updates this gateway has seen", "err", err)
			}
			if reconnected != nil {
				reconnected(b.ctx)
			}
		case <-b.done:
			return
		}
	}
}

func subjectOf(s *nats.Subscription) string {
	if s == nil {
		return ""
	}
	return s.Subject
}

// Connected reports whether the bus is connected to a NATS server now.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }

// EnsureStream creates or checks the bus's snapshot stream (see the package
// function EnsureStream); without one it does nothing.
func (b *Bus) EnsureStream(ctx context.Context) error {
	if b.js == nil {
		return nil
	}
	return EnsureStream(ctx, b.nc, b.stream)
}

// Conn is the underlying NATS connection, for publishing.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// Watch subscribes to each pattern not yet watched. It does not wait for the
// server; see Sync.
func (b *Bus) Watch(patterns []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range patterns {
		if b.watching[p] != nil {
			continue
		}
		s, err := b.nc.ChanSubscribe(p, b.msgs)
		if err != nil {
			return fmt.Errorf("subscribe %q: %w", p, err)
		}
		b.watching[p] = s
	}
	return nil
}

// Unwatch unsubscribes from each pattern.
func (b *Bus) Unwatch(patterns []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range patterns {
		if s := b.watching[p]; s != nil {
			if err := s.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
				b.log.Warn("unsubscribe", "subject", p, "err", err)
			}
			delete(b.watching, p)
		}
	}
}

// watched returns the number of patterns subscribed.
func (b *Bus) watched() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.watching)
}

// syncTimeout bounds one round trip to the server.
const syncTimeout = 5 * time.Second

// Sync waits for a round trip to the server, after which every earlier
// subscription is in effect. While disconnected it returns at once: nats.go
// sends the subscriptions again when it reconnects.
func (b *Bus) Sync(ctx context.Context) error {
	if !b.nc.IsConnected() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	if err := b.nc.FlushWithContext(ctx); err != nil && b.nc.IsConnected() {
		return fmt.Errorf("nats flush: %w", err)
	}
	return nil
}

// Close closes the connection and stops delivering. It is idempotent.
func (b *Bus) Close() {
	b.closeOnce.Do(func() {
		b.cancel()
		b.nc.Close()
		close(b.done)
	})
	b.wg.Wait()
}
