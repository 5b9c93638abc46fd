package fanout

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Bus is the message bus as the hub sees it. The hub asks it to watch each
// distinct pattern that any subscriber holds, once, and to stop when the last
// holder leaves; the bus hands the updates it receives to Hub.Deliver.
type Bus interface {
	// Watch starts receiving the patterns' updates. It must not block on the
	// network: the hub calls it under its interest lock.
	Watch(patterns []string) error
	// Unwatch stops receiving the patterns' updates.
	Unwatch(patterns []string)
	// Sync returns once every earlier Watch has taken effect on the bus, so
	// that a publish made afterwards reaches the hub.
	Sync(ctx context.Context) error
}

// Options configure a Hub. The zero value is usable.
type Options struct {
	// MaxQueueBytes bounds each connection's queue; 0 means 1 MiB.
	MaxQueueBytes int
	// Bus is asked to watch the patterns subscribers hold; nil means none
	// (updates then come only from direct calls to Deliver).
	Bus Bus
	// Metrics receives the core's figures; nil means unregistered ones.
	Metrics *Metrics
	// Logger receives the core's logs; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultMaxQueueBytes is the per-connection queue bound when none is set.
const DefaultMaxQueueBytes = 1 << 20

// inboxSize bounds updates waiting for the hub goroutine; a full inbox holds
// back the bus handler, whose own pending limits then drop and count.
const inboxSize = 4096

// Hub broadcasts feed updates to subscribers. Deliver may be called from any
// goroutine; one hub goroutine keeps per-subject order.
type Hub struct {
	opts    Options
	metrics *Metrics
	log     *slog.Logger
	index   *index

	interestMu sync.Mutex
	refs       map[string]int // holders of each watched pattern

	lastMu sync.RWMutex
	last   map[string]lastValue // per subject ever seen

	nextID atomic.Uint64
	inbox  chan *Message
	done   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
}

// NewHub starts a hub; Close stops it.
func NewHub(opts Options) *Hub {
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = DefaultMaxQueueBytes
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Hub{
		opts:    opts,
		metrics: opts.Metrics,
		log:     opts.Logger,
		index:   newIndex(),
		refs:    make(map[string]int),
		last:    make(map[string]lastValue),
		inbox:   make(chan *Message, inboxSize),
		done:    make(chan struct{}),
	}
	h.wg.Add(1)
	go h.run()
	return h
}

// Close stops the hub goroutine. Updates delivered afterwards are dropped.
func (h *Hub) Close() {
	h.closed.Do(func() { close(h.done) })
	h.wg.Wait()
}

// Deliver takes one feed update as it came from the bus. It validates the
// subject and payload (dropping and counting bad ones) and hands the update
// to the hub goroutine, waiting while that goroutine is behind. It does not
// keep payload beyond the Message built from it.
func (h *Hub) Deliver(subject string, payload []byte) {
	if err := subscribe.ValidateSubject(subject); err != nil {
		h.metrics.feed.WithLabelValues(resultBadSubject).Inc()
		return
	}
	m, err := NewMessage(subject, payload)
	if err != nil {
		h.metrics.feed.WithLabelValues(resultMalformed).Inc()
		h.log.Debug("dropped malformed feed update", "subject", subject, "err", err)
		return
	}
	select {
	case h.inbox <- m:
	case <-h.done:
		h.metrics.feed.WithLabelValues(resultShutdown).Inc()
	}
}

func (h *Hub) run() {
	defer h.wg.Done()
	accepted := h.metrics.feed.WithLabelValues(resultAccepted)
	stale := h.metrics.feed.WithLabelValues(resultStale)
	for {
		select {
		case m := <-h.inbox:
			if h.broadcast(m) {
				accepted.Inc()
			} else {
				stale.Inc()
			}
		case <-h.done:
			return
		}
	}
}

// broadcast keeps m as its subject's last value and queues it on every
// matching subscriber. It reports false for an update that is not newer than
// the last value (a late or duplicate copy), which it drops.
func (h *Hub) broadcast(m *Message) bool {
	h.lastMu.Lock()
	old, seen := h.last[m.Subject]
	if seen && !m.Header.NewerThan(old.header) {
		h.lastMu.Unlock()
		return false
	}
	if old.m == nil {
		h.metrics.lastValues.Inc()
	}
	h.last[m.Subject] = lastValue{header: m.Header, m: m}
	// Matching under lastMu orders this update against Subscribe: a
	// subscriber either is in the result or sees m in its snapshot.
	subs := h.index.match(m.Subject)
	h.lastMu.Unlock()

	n := 0
	for i := 0; i < len(subs); {
		s := subs[i].s
		j := i + 1
		for j < len(subs) && subs[j].s == s {
			j++
		}
		if s.push(m.liveFrame(s.kind), subs[i:j]) {
			n++
		}
		i = j
	}
	h.metrics.deliveries.Add(float64(n))
	return true
}

// snapshot calls fn, sorted by subject, for the last value of every subject
// matching any of patterns. The caller holds lastMu.
func (h *Hub) snapshot(patterns []string, fn func(*Message)) {
	var found []*Message
	for subject, v := range h.last {
		m := v.m
		if m == nil {
			continue // forgotten
		}
		for _, p := range patterns {
			if subscribe.Match(p, subject) {
				found = append(found, m)
				break
			}
		}
	}
	sortBySubject(found)
	for _, m := range found {
		fn(m)
	}
}

// lastValue is what the hub keeps of a subject: the header of its newest
// update, which decides whether a later one is newer, and the update itself
// while the hub follows the subject (nil once forgotten).
type lastValue struct {
	header codec.Header
	m      *Message
}

// forget drops the last values of subjects matching patterns that no pattern
// in the index matches any more, so a later subscriber is never handed a value
// the hub stopped following. It keeps their headers: a late copy of an old
// update, still on its way through the bus, must not pass for a new one.
func (h *Hub) forget(patterns []string) {
	h.lastMu.Lock()
	defer h.lastMu.Unlock()
	for subject, v := range h.last {
		if v.m == nil {
			continue
		}
		for _, p := range patterns {
			if subscribe.Match(p, subject) && len(h.index.match(subject)) == 0 {
				h.last[subject] = lastValue{header: v.header}
				h.metrics.lastValues.Dec()
				break
			}
		}
	}
}

// ErrClosed is returned by Subscribe on a closed subscriber.
var ErrClosed = errors.New("fanout: subscriber closed")
