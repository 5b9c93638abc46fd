package broker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// Watch subscribes to each pattern not yet watched. It does not wait for the
// server; see Sync. Before Start, the updates wait for it.
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
