package fanout

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

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

// LastValues is implemented by a bus that keeps the last update of every
// subject (NATS JetStream): when the hub starts watching a pattern it replays
// the pattern's last values through Deliver before the first snapshot, so a
// pod serves snapshots of subjects it has never seen.
type LastValues interface {
	// LastValues calls fn with the last update kept of every subject
	// matching any of patterns.
	LastValues(ctx context.Context, patterns []string, fn func(subject string, payload []byte)) error
}

// Options configure a Hub. The zero value is usable.
type Options struct {
	// MaxQueueBytes bounds each connection's queue; 0 means 1 MiB. At the
	// bound the queue is conflated; past twice the bound, or past the bound
	// for SlowTimeout, the connection is closed as a slow consumer.
	MaxQueueBytes int
	// SlowTimeout is how long a queue may stay over its bound after
	// conflation before the connection is closed; 0 means 5 s.
	SlowTimeout time.Duration
	// MaxBatch caps the messages joined into one frame; 0 means 256.
	MaxBatch int
	// MaxBatchBytes caps the bytes joined into one frame (a single larger
	// message is still sent whole); 0 means 64 KiB.
	MaxBatchBytes int
	// FlushInterval, when positive, holds a connection's first pending
	// message for up to this long so that what follows joins it in one
	// frame: latency traded for fewer writes. 0 writes at once.
	FlushInterval time.Duration
	// Bus is asked to watch the patterns subscribers hold; nil means none
	// (updates then come only from direct calls to Deliver).
	Bus Bus
	// Metrics receives the core's figures; nil means unregistered ones.
	Metrics *Metrics
	// Logger receives the core's logs; nil means slog.Default().
	Logger *slog.Logger
	// Clock is where the core reads the time it waits on (the slow timeout,
	// the stuck-writer monitor, the flush window) and the time of each
	// write; nil means the real clock. Tests pass a fake one.
	Clock clockwork.Clock
}

// What the zero fields of Options stand for.
const (
	defaultMaxQueueBytes = 1 << 20
	defaultSlowTimeout   = 5 * time.Second
	defaultMaxBatch      = 256
	defaultMaxBatchBytes = 64 << 10
)

// op is one thing for the hub goroutine to do, in the order delivered:
// broadcast m, or, for a barrier, close it (everything delivered before has
// been broadcast).
type op struct {
	m       *message
	barrier chan struct{}
}

// inboxSize bounds updates waiting for the hub goroutine; a full inbox holds
// back the bus, which then drops updates as a NATS slow consumer and counts
// them.
const inboxSize = 4096

// Hub broadcasts feed updates to subscribers. Deliver may be called from any
// goroutine; one hub goroutine keeps per-subject order.
type Hub struct {
	opts    Options
	metrics *Metrics
	log     *slog.Logger
	clock   clock
	index   *index
	matcher *matcher // the hub goroutine's, used under lastMu
	writers *writers
	slow    slowWatch
	pacer   pacer // flushes what max rates hold back

	outboxes outboxConfig // shared by the subscribers' outboxes

	interestMu sync.Mutex
	refs       map[string]int           // holders of each watched pattern
	primed     map[string]chan struct{} // closed once a pattern's last values are in

	lastMu sync.RWMutex
	last   map[string]lastValue // per subject ever seen
	kept   uint64               // updates kept as last values so far; guarded by lastMu
	valued uint64               // bumped when a subject gains or loses its last value; guarded by lastMu
	lists  subjectLists         // the subjects of wildcard snapshots; read under lastMu
	pushed atomic.Uint64        // the order of the last update pushed to every subscriber

	// Slots for the work a Subscribe does on the hub's structures: half the
	// processors at most, so that a join storm leaves the hub goroutine and
	// the writers a processor to run on.
	joins chan struct{}
	took  func(start time.Time) // tests: called as each broadcast ends

	nextID atomic.Uint64
	inbox  chan op
	done   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
}

// NewHub starts a hub; Close stops it.
func NewHub(opts Options) *Hub {
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = defaultMaxQueueBytes
	}
	if opts.SlowTimeout <= 0 {
		opts.SlowTimeout = defaultSlowTimeout
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = defaultMaxBatch
	}
	if opts.MaxBatchBytes <= 0 {
		opts.MaxBatchBytes = defaultMaxBatchBytes
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
		clock:   clock{opts.Clock},
		index:   newIndex(),
		refs:    make(map[string]int),
		primed:  make(map[string]chan struct{}),
		last:    make(map[string]lastValue),
		inbox:   make(chan op, inboxSize),
		done:    make(chan struct{}),
		joins:   make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
	}
	conflated, dropped := opts.Metrics.conflated, opts.Metrics.dropped
	h.outboxes = outboxConfig{
		maxBytes:      opts.MaxQueueBytes,
		slowTimeout:   opts.SlowTimeout,
		maxBatch:      opts.MaxBatch,
		maxBatchBytes: opts.MaxBatchBytes,
		clock:         h.clock,
		conflated:     func(n int) { conflated.Add(float64(n)) },
		dropped:       func(n int) { dropped.Add(float64(n)) },
	}
	h.matcher = newMatcher(h.index)
	h.writers = newWriters(opts.FlushInterval, opts.SlowTimeout, h.clock)
	h.slow.over = make(map[*Subscriber]struct{})
	// The tickers start here, so that time a test moves on a fake clock
	// after NewHub returns reaches them.
	slowTick := h.clock.NewTicker(max(opts.SlowTimeout/4, 10*time.Millisecond))
	h.pacer = pacer{clock: h.clock, wake: make(chan struct{}, 1)}
	h.wg.Add(3)
	go h.run()
	go h.watchSlow(slowTick)
	go func() { defer h.wg.Done(); h.pacer.run(h.done) }()
	return h
}

// Close stops the hub's goroutines and its idle writers; writers busy on a
// connection stop once it is drained or closed. Updates delivered afterwards
// are dropped. Close is idempotent.
func (h *Hub) Close() {
	h.closed.Do(func() { close(h.done) })
	h.wg.Wait()
	h.writers.close()
}

// Deliver takes one feed update as it came from the bus. It validates the
// subject and payload (dropping and counting bad ones) and hands the update
// to the hub goroutine, waiting while that goroutine is behind. It does not
// keep payload: the caller may reuse it.
func (h *Hub) Deliver(subject string, payload []byte) {
	if err := subscribe.ValidateSubject(subject); err != nil {
		h.metrics.feed.WithLabelValues(resultBadSubject).Inc()
		return
	}
	m, err := newMessage(subject, payload)
	if err != nil {
		h.metrics.feed.WithLabelValues(resultMalformed).Inc()
		h.log.Debug("dropped malformed feed update", "subject", subject, "err", err)
		return
	}
	select {
	case h.inbox <- op{m: m}:
	case <-h.done:
		m.release()
		h.metrics.feed.WithLabelValues(resultShutdown).Inc()
	}
}

func (h *Hub) run() {
	defer h.wg.Done()
	accepted := h.metrics.feed.WithLabelValues(resultAccepted)
	stale := h.metrics.feed.WithLabelValues(resultStale)
	for {
		select {
		case o := <-h.inbox:
			if o.barrier != nil {
				close(o.barrier)
				continue
			}
			if h.broadcast(o.m) {
				accepted.Inc()
			} else {
				stale.Inc()
			}
			o.m.release()
		case <-h.done:
			return
		}
	}
}

// broadcast keeps m as its subject's last value and queues it on every
// matching subscriber. It reports false for an update that is not newer than
// the last value (a late or duplicate copy), which it drops. The caller keeps
// its reference to m.
func (h *Hub) broadcast(m *message) bool {
	if h.took != nil {
		defer h.took(time.Now())
	}
	h.lastMu.Lock()
	if !h.keep(m) {
		h.lastMu.Unlock()
		return false
	}
	// Matching under lastMu orders this update against Subscribe: a
	// subscriber either is in the result or sees m in its snapshot.
	subs := h.matcher.match(m.subject)
	h.lastMu.Unlock()

	n := 0
	for i := 0; i < len(subs); {
		s := subs[i].s
		j := i + 1
		for j < len(subs) && subs[j].s == s {
			j++
		}
		if s.deliver(m, subs[i:j]) {
			n++
		}
		i = j
	}
	m.dropPrev()
	h.pushed.Store(m.order)
	h.metrics.deliveries.Add(float64(n))
	return true
}

// ErrClosed is returned by Subscribe on a closed subscriber.
var ErrClosed = errors.New("fanout: subscriber closed")
