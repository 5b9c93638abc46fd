package fanout

import (
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/closecode"
)

// queue is a connection's outgoing messages, bounded in bytes. While it is
// not empty a writer drains it (writer.go); an idle connection holds no
// writer goroutine and no write buffer.
//
// At its bound the queue is conflated: of the updates of one subject that
// wait, only the newest stays (every update is full state). If that cannot
// bring it back under the bound, the connection gets SlowTimeout to catch up,
// and is closed as a slow consumer when it does not, or at once past twice the
// bound. (A peer that takes no write at all for SlowTimeout is closed too; see
// writers.)
type queue struct {
	s *Subscriber

	mu        sync.Mutex // also guards the Subscriber's patterns
	pending   []item     // waiting from head on; nil while empty
	buf       *[]item    // pending's array, from itemsPool; nil while empty
	head      int
	bytes     int       // waiting and being written
	compactAt int       // over the bound, bytes past which to conflate again
	overSince time.Time // when the queue stayed over its bound; zero if not
	writing   bool      // a writer is scheduled or running
	closed    bool      // no more pushes: the connection is closing
}

// push queues a live update for the subscriber holding subs, unless none of
// them is active any more. It reports whether the update was queued.
func (q *queue) push(m *message, subs []*sub) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, x := range subs {
		if x.active {
			if q.s.snapshotted(m) {
				return false
			}
			return q.pushLocked(item{frame: m.liveFrame(q.s.kind), m: m, live: true})
		}
	}
	return false
}

// pushLocked queues it, taking a reference on its update if it has one, and
// schedules a writer if none is. It reports whether it was queued.
func (q *queue) pushLocked(it item) bool {
	if q.closed {
		return false
	}
	h := q.s.hub
	if q.bytes+len(it.frame) > h.opts.MaxQueueBytes && !q.makeRoom(len(it.frame)) {
		return false
	}
	if it.m != nil {
		it.m.retain()
	}
	if q.buf == nil {
		q.buf = itemsPool.Get().(*[]item)
		q.pending = (*q.buf)[:0]
	}
	q.pending = append(q.pending, it)
	q.bytes += len(it.frame)
	if !q.writing {
		q.writing = true
		h.writers.schedule(q.s)
	}
	return true
}

// makeRoom conflates the queue to fit n more bytes. It reports false, having
// closed the connection, when the queue must give up.
func (q *queue) makeRoom(n int) bool {
	h := q.s.hub
	bound := h.opts.MaxQueueBytes
	if q.bytes+n > q.compactAt {
		q.conflate()
		q.compactAt = q.bytes + bound/4 // conflating again at once would gain little
		if q.bytes+n <= bound {
			q.settled()
			return true
		}
	}
	now := time.Now()
	if q.overSince.IsZero() {
		q.overSince = now
		h.slow.add(q.s)
	}
	if q.bytes+n > 2*bound || now.Sub(q.overSince) >= h.opts.SlowTimeout {
		q.closeSlow()
		return false
	}
	return true
}

// settled notes that the queue is within its bound again.
func (q *queue) settled() {
	if !q.overSince.IsZero() {
		q.overSince = time.Time{}
		q.s.hub.slow.remove(q.s)
	}
	q.compactAt = 0
}

// conflate drops every waiting update that a newer one of the same subject
// follows, keeping the order of the rest.
func (q *queue) conflate() {
	seen := seenPool.Get().(map[string]struct{})
	defer func() { clear(seen); seenPool.Put(seen) }()
	waiting := q.pending[q.head:]
	w := len(waiting)
	dropped := 0
	for i := len(waiting) - 1; i >= 0; i-- {
		it := waiting[i]
		if it.m != nil {
			if _, newer := seen[it.m.subject]; newer {
				q.bytes -= len(it.frame)
				it.m.release()
				dropped++
				continue
			}
			seen[it.m.subject] = struct{}{}
		}
		w--
		waiting[w] = it
	}
	n := copy(q.pending, waiting[w:])
	clear(q.pending[n:])
	q.pending, q.head = q.pending[:n], 0
	q.s.hub.metrics.conflated.Add(float64(dropped))
}

// closeSlow closes the connection as a slow consumer.
func (q *queue) closeSlow() {
	q.s.hub.metrics.slowConsumers.Inc()
	q.closeLocked(closecode.PolicyViolation, "slow consumer")
}

// closeLocked stops the queue and asks the transport to close.
func (q *queue) closeLocked(code closecode.Code, reason string) {
	if q.closed {
		return
	}
	q.closed = true
	q.dropLocked()
	q.s.t.Close(code, reason)
}

// dropLocked discards every waiting message, counting the feed updates.
func (q *queue) dropLocked() {
	dropped := 0
	for _, it := range q.pending[q.head:] {
		q.bytes -= len(it.frame)
		if it.m != nil {
			it.m.release()
			dropped++
		}
	}
	clear(q.pending)
	q.recycle()
	q.settled()
	q.s.hub.metrics.dropped.Add(float64(dropped))
}

// take moves the next frame's worth of waiting messages to batch: at most
// MaxBatch of them and MaxBatchBytes, but at least one. The caller holds mu.
func (q *queue) take(batch []item) []item {
	o := &q.s.hub.opts
	size := 0
	for q.head < len(q.pending) {
		it := q.pending[q.head]
		if len(batch) > 0 && (len(batch) == o.MaxBatch || size+1+len(it.frame) > o.MaxBatchBytes) {
			break
		}
		batch = append(batch, it)
		size += 1 + len(it.frame)
		q.pending[q.head] = item{}
		q.head++
	}
	switch {
	case q.head == len(q.pending):
		q.recycle()
	case q.head > len(q.pending)/2:
		n := copy(q.pending, q.pending[q.head:])
		clear(q.pending[n:])
		q.pending, q.head = q.pending[:n], 0
	}
	return batch
}

// recycle gives the array of an emptied queue back to itemsPool.
func (q *queue) recycle() {
	if q.buf != nil {
		*q.buf = q.pending[:0]
		itemsPool.Put(q.buf)
	}
	q.pending, q.buf, q.head = nil, nil, 0
}
