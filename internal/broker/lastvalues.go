package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// lastValuesTimeout bounds one fetch of last values from the stream.
const lastValuesTimeout = 10 * time.Second

// patternsPerRequest caps the patterns asked for in one batched direct get
// (a sub holds at most --max-subs patterns, 256 by default).
const patternsPerRequest = 256

// LastValues calls fn with the last update the stream keeps of every subject
// matching any of patterns, so that a pod that starts watching a pattern can
// replay snapshots of subjects it has never seen. It asks with batched
// direct gets ("multi_last"), served by any replica; when the server cannot
// answer one (too many subjects match, or a server older than 2.11), it
// reads the pattern's last values through a short-lived consumer instead.
// Without a stream it does nothing. Errors are counted as well as returned.
func (b *Bus) LastValues(ctx context.Context, patterns []string, fn func(subject string, payload []byte)) error {
	if b.js == nil || len(patterns) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, lastValuesTimeout)
	defer cancel()
	err := b.lastValues(ctx, patterns, fn)
	if err != nil {
		b.metrics.snapshotFetches.WithLabelValues(fetchError).Inc()
		return fmt.Errorf("last values of %d patterns from stream %s: %w", len(patterns), b.stream.Name, err)
	}
	b.metrics.snapshotFetches.WithLabelValues(fetchOK).Inc()
	return nil
}

func (b *Bus) lastValues(ctx context.Context, patterns []string, fn func(subject string, payload []byte)) error {
	for chunk := range slices.Chunk(patterns, patternsPerRequest) {
		n := 0
		err := b.directLast(ctx, chunk, func(subject string, payload []byte) {
			n++
			fn(subject, payload)
		})
		if err == nil {
			b.metrics.snapshotValues.Add(float64(n))
			continue
		}
		if n > 0 || ctx.Err() != nil {
			return err // a batch broke off half way: do not read it twice
		}
		b.log.Debug("batched direct get refused, reading last values with a consumer", "err", err)
		for _, p := range chunk {
			if err := b.consumerLast(ctx, p, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// directLast reads the last message of every subject matching patterns with
// one batched direct get.
func (b *Bus) directLast(ctx context.Context, patterns []string, fn func(subject string, payload []byte)) error {
	msgs, err := jetstreamext.GetLastMsgsFor(ctx, b.js, b.stream.Name, patterns)
	if err != nil {
		return err
	}
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(m.Subject, m.Data)
	}
	return nil
}

// consumerLast reads the last message of every subject matching pattern
// through a short-lived consumer that starts at the last message per subject.
func (b *Bus) consumerLast(ctx context.Context, pattern string, fn func(subject string, payload []byte)) error {
	c, err := b.js.CreateConsumer(ctx, b.stream.Name, jetstream.ConsumerConfig{
		FilterSubject:     pattern,
		DeliverPolicy:     jetstream.DeliverLastPerSubjectPolicy,
		AckPolicy:         jetstream.AckNonePolicy,
		Replicas:          1,
		MemoryStorage:     true,
		InactiveThreshold: lastValuesTimeout,
	})
	if err != nil {
		return fmt.Errorf("consumer on %s: %w", pattern, err)
	}
	defer func() {
		// The server removes it after InactiveThreshold anyway.
		_ = b.js.DeleteConsumer(context.WithoutCancel(ctx), b.stream.Name, c.CachedInfo().Name)
	}()
	for left := int(c.CachedInfo().NumPending); left > 0; {
		batch, err := c.Fetch(min(left, 1000), jetstream.FetchContext(ctx))
		if err != nil {
			return fmt.Errorf("fetch last values of %s: %w", pattern, err)
		}
		for m := range batch.Messages() {
			fn(m.Subject(), m.Data())
			b.metrics.snapshotValues.Inc()
			left--
		}
		if err := batch.Error(); err != nil {
			return fmt.Errorf("fetch last values of %s: %w", pattern, err)
		}
	}
	return nil
}
