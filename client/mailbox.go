package client

import "sync"

// mailbox is what stands between the reader of a connection and the
// callbacks: the reader puts updates and events and never waits; one
// dispatching goroutine takes them, in order, and calls OnUpdate and
// OnEvent. When the callbacks are slower than the feed, the mailbox
// conflates: an update for a subject that still has one queued replaces it
// in its place (every update is full state, so only history is lost, and
// the consumer sees the newest value sooner). At most maxUpdates subjects
// wait at once; an update for one more is dropped and counted. Events are
// never conflated; at most maxEvents wait, beyond which all but a final one
// are dropped.
//
// It also owns the seq gap bookkeeping, since a gap is measured between the
// updates the consumer actually gets.
type mailbox struct {
	mu         sync.Mutex
	items      []item         // queued, oldest first, from head on
	head       int            // items[:head] are taken
	queued     map[string]int // subject -> index in items of its queued update
	events     int            // events queued
	maxUpdates int
	maxEvents  int
	lastSeq    map[string]uint64 // per subject, the seq of the last update taken
	closed     bool              // nothing more is put; take drains what is left
	wake       chan struct{}     // signalled (capacity 1) when something is put or it closes
	stats      *counters
}

// item is one queued update or event.
type item struct {
	u     Update
	ev    Event
	event bool
}

// The bound on queued events: a client whose callbacks are stuck while it
// reconnects again and again keeps this many.
const maxQueuedEvents = 256

func newMailbox(maxUpdates int, stats *counters) *mailbox {
	return &mailbox{queued: map[string]int{}, lastSeq: map[string]uint64{}, maxUpdates: maxUpdates,
		maxEvents: maxQueuedEvents, wake: make(chan struct{}, 1), stats: stats}
}

func (m *mailbox) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// putUpdate queues u, conflating it with the queued update of its subject.
func (m *mailbox) putUpdate(u Update) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	if i, ok := m.queued[u.Subject]; ok {
		u.Conflated = m.items[i].u.Conflated + 1
		m.items[i].u = u
		m.stats.conflated.Add(1)
		return
	}
	if len(m.queued) >= m.maxUpdates {
		m.stats.dropped.Add(1)
		return
	}
	m.queued[u.Subject] = len(m.items)
	m.items = append(m.items, item{u: u})
	m.signal()
}

// putEvent queues ev; a final event is queued whatever the bound.
func (m *mailbox) putEvent(ev Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || (m.events >= m.maxEvents && !ev.Final) {
		return
	}
	m.events++
	m.items = append(m.items, item{ev: ev, event: true})
	m.signal()
}

// take returns the oldest item, with its gap worked out for an update; ok is
// false when nothing is queued.
func (m *mailbox) take() (it item, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.head == len(m.items) {
		return item{}, false
	}
	it = m.items[m.head]
	m.items[m.head] = item{}
	m.head++
	if it.event {
		m.events--
	} else {
		delete(m.queued, it.u.Subject)
		it.u.Gap = m.gap(it.u)
	}
	m.compact()
	return it, true
}

// gap records u's seq and returns how many were skipped since the last one
// taken of its subject.
func (m *mailbox) gap(u Update) uint64 {
	if u.Seq == 0 {
		return 0
	}
	prev, seen := m.lastSeq[u.Subject]
	m.lastSeq[u.Subject] = u.Seq
	if !seen || u.Seq <= prev+1 {
		return 0
	}
	return u.Seq - prev - 1
}

// compact moves the queued items to the front once most of the slice is
// taken, keeping the indexes of queued updates right.
func (m *mailbox) compact() {
	if m.head < 64 || m.head*2 < len(m.items) {
		if m.head == len(m.items) {
			m.items, m.head = m.items[:0], 0
		}
		return
	}
	n := copy(m.items, m.items[m.head:])
	clear(m.items[n:])
	m.items = m.items[:n]
	for s, i := range m.queued {
		m.queued[s] = i - m.head
	}
	m.head = 0
}

// forget drops the seq bookkeeping of the subjects keep rejects (they are
// no longer subscribed).
func (m *mailbox) forget(keep func(subject string) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.lastSeq {
		if !keep(s) {
			delete(m.lastSeq, s)
		}
	}
}

// close stops the puts; take goes on with what is queued.
func (m *mailbox) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.signal()
}

// dropUpdates drops the queued updates, keeping the events.
func (m *mailbox) dropUpdates() {
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.items[:0]
	for _, it := range m.items[m.head:] {
		if it.event {
			kept = append(kept, it)
		}
	}
	clear(m.items[len(kept):])
	m.items, m.head = kept, 0
	clear(m.queued)
}

// done tells whether the mailbox is closed and empty.
func (m *mailbox) done() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed && m.head == len(m.items)
}
