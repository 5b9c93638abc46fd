package fanout

import (
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

// item is one queued message: shared, immutable frame bytes, and the feed
// update they encode (nil for a reply such as an ack), whose reference the
// outbox holds while the item is queued. live marks a live update, as
// opposed to a snapshot replayed after a sub.
type item struct {
	frame []byte
	m     *message
	live  bool
	delta bool // frame is m's delta; its whole frame replaces it if its base is conflated away
}

// outboxConfig is what the outboxes of one hub share: their settings, their
// clock and the counters they report to.
type outboxConfig struct {
	maxBytes      int           // the bound in bytes; at it an outbox conflates
	slowTimeout   time.Duration // how long an outbox may stay over its bound
	maxBatch      int           // items taken at most for one frame
	maxBatchBytes int           // bytes taken at most for one frame (but at least one item)
	clock         clock
	conflated     func(n int) // n updates dropped for a newer one of their subject
	dropped       func(n int) // n updates discarded unwritten as an outbox closed
}

// pushed is what push did, as bits for its caller to act on once it holds
// no lock.
type pushed uint8

const (
	pushQueued pushed = 1 << iota // the item is queued
	pushReady                     // the outbox was idle: it needs a writer
	pushOver                      // it went over its bound: watch it with expire
	pushGaveUp                    // it gave up and closed: the connection is a slow consumer
)

// outbox is one connection's outgoing messages: bounded in bytes,
// conflating, taken in batches. It knows nothing of who fills it or who
// drains it; what it needs it reports (see pushed), and one closed state
// ends it whatever the reason. It has no lock of its own: its owner
// serializes every call (a Subscriber, under its mu), so that a delivery
// takes one lock, not two.
//
// While it is not empty one writer drains it: push reports pushReady when
// the outbox had none, and it has one until take or done finds it empty. An
// idle outbox holds no array; a busy one takes one from a pool.
//
// At its bound the outbox is conflated: of the updates of one subject that
// wait, only the newest stays (every update is full state). If that cannot
// bring it back under the bound it gets slowTimeout to catch up; it gives up
// when it does not (at a push, or when its watcher calls expire), or at once
// past twice the bound.
type outbox struct {
	cfg  *outboxConfig
	kind codec.Kind // the encoding of its frames

	pending   []item  // waiting from head on; nil while empty
	buf       *[]item // pending's array, from itemsPool; nil while empty
	head      int
	bytes     int       // waiting and being written
	compactAt int       // over the bound, bytes past which to conflate again
	overSince time.Time // when it went over its bound and stayed; zero if not
	writing   bool      // a writer has it
	closed    bool      // no more pushes: the connection is closing
}

// push queues it, taking a reference on its update if it has one.
func (o *outbox) push(it item) pushed {
	if o.closed {
		return 0
	}
	var r pushed
	if o.bytes+len(it.frame) > o.cfg.maxBytes {
		if r = o.makeRoom(len(it.frame)); r&pushGaveUp != 0 {
			return r
		}
	}
	if it.m != nil {
		it.m.retain()
	}
	if o.buf == nil {
		o.buf = itemsPool.Get().(*[]item)
		o.pending = (*o.buf)[:0]
	}
	o.pending = append(o.pending, it)
	o.bytes += len(it.frame)
	r |= pushQueued
	if !o.writing {
		o.writing = true
		r |= pushReady
	}
	return r
}

// makeRoom conflates the outbox to fit n more bytes. It reports pushOver when
// the outbox stays over its bound from now on, and pushGaveUp, having closed
// it, when it must give up.
func (o *outbox) makeRoom(n int) pushed {
	bound := o.cfg.maxBytes
	if o.bytes+n > o.compactAt {
		o.conflate()
		o.compactAt = o.bytes + bound/4 // conflating again at once would gain little
		if o.bytes+n <= bound {
			o.settled()
			return 0
		}
	}
	now := o.cfg.clock.Now()
	var r pushed
	if o.overSince.IsZero() {
		o.overSince = now
		r = pushOver
	}
	if o.bytes+n > 2*bound || now.Sub(o.overSince) >= o.cfg.slowTimeout {
		o.close()
		return pushGaveUp
	}
	return r
}

// settled notes that the outbox is within its bound again.
func (o *outbox) settled() {
	o.overSince = time.Time{}
	o.compactAt = 0
}

// seenPool holds the sets conflate uses, so that conflating allocates nothing.
var seenPool = sync.Pool{New: func() any { return make(map[string]int) }}

// conflate drops every waiting update that a newer one of the same subject
// follows, keeping the order of the rest. A delta kept whose base it dropped
// goes whole instead.
func (o *outbox) conflate() {
	seen := seenPool.Get().(map[string]int)
	defer func() { clear(seen); seenPool.Put(seen) }()
	waiting := o.pending[o.head:]
	w := len(waiting)
	dropped := 0
	for i := len(waiting) - 1; i >= 0; i-- {
		it := waiting[i]
		if it.m != nil {
			if j, newer := seen[it.m.subject]; newer {
				o.bytes -= len(it.frame)
				it.m.release()
				dropped++
				if k := &waiting[j]; k.delta {
					// Built by the hub goroutine before k was pushed.
					whole := k.m.live[o.kind]
					o.bytes += len(whole) - len(k.frame)
					k.frame, k.delta = whole, false
				}
				continue
			}
			seen[it.m.subject] = w - 1
		}
		w--
		waiting[w] = it
	}
	n := copy(o.pending, waiting[w:])
	clear(o.pending[n:])
	o.pending, o.head = o.pending[:n], 0
	o.cfg.conflated(dropped)
}

// take moves the next frame's worth of waiting items to batch: at most
// maxBatch of them and maxBatchBytes, but at least one. It reports false when
// there is nothing to write, or the outbox is closed: the writer then lets
// go of it, and the next push reports pushReady.
func (o *outbox) take(batch []item) ([]item, bool) {
	if o.closed || o.head == len(o.pending) {
		o.writing = false
		o.recycle()
		return batch, false
	}
	size := 0
	for o.head < len(o.pending) {
		it := o.pending[o.head]
		if len(batch) > 0 && (len(batch) == o.cfg.maxBatch || size+1+len(it.frame) > o.cfg.maxBatchBytes) {
			break
		}
		batch = append(batch, it)
		size += 1 + len(it.frame)
		o.pending[o.head] = item{}
		o.head++
	}
	switch {
	case o.head == len(o.pending):
		o.recycle()
	case o.head > len(o.pending)/2:
		n := copy(o.pending, o.pending[o.head:])
		clear(o.pending[n:])
		o.pending, o.head = o.pending[:n], 0
	}
	return batch, true
}

// done takes back a batch that take handed out, once it is written or its
// write failed with err (which closes the outbox): it releases the items'
// updates and clears batch for reuse. It reports whether more waits, in which
// case the writer keeps the outbox and must come back to it.
func (o *outbox) done(batch []item, err error) bool {
	size := 0
	for i, it := range batch {
		size += len(it.frame)
		if it.m != nil {
			it.m.release()
		}
		batch[i] = item{}
	}
	o.bytes -= size
	if o.bytes <= o.cfg.maxBytes {
		o.settled()
	}
	if err != nil {
		o.close()
	}
	if o.closed || o.head == len(o.pending) {
		o.writing = false
		o.recycle()
		return false
	}
	return true
}

// expire gives up if the outbox has been over its bound for the slow timeout
// at now. It reports whether it gave up, and whether the outbox is still
// over its bound (and so worth watching).
func (o *outbox) expire(now time.Time) (gaveUp, over bool) {
	switch {
	case o.closed || o.overSince.IsZero():
		return false, false
	case now.Sub(o.overSince) >= o.cfg.slowTimeout:
		o.close()
		return true, false
	}
	return false, true
}

// giveUp closes the outbox for its connection is too slow. It reports false
// if it was closed already.
func (o *outbox) giveUp() bool {
	if o.closed {
		return false
	}
	o.close()
	return true
}

// isClosed reports whether the outbox is closed.
func (o *outbox) isClosed() bool {
	return o.closed
}

// close stops pushes and drops what waits. It is idempotent.
func (o *outbox) close() {
	if o.closed {
		return
	}
	o.closed = true
	dropped := 0
	for _, it := range o.pending[o.head:] {
		o.bytes -= len(it.frame)
		if it.m != nil {
			it.m.release()
			dropped++
		}
	}
	clear(o.pending)
	o.recycle()
	o.settled()
	o.cfg.dropped(dropped)
}

// itemsPool holds the arrays of outboxes that are not empty: an idle
// connection holds none, and a busy one takes one without allocating.
var itemsPool = sync.Pool{New: func() any { b := make([]item, 0, 8); return &b }}

// recycle gives the array of an emptied outbox back to itemsPool.
func (o *outbox) recycle() {
	if o.buf != nil {
		*o.buf = o.pending[:0]
		itemsPool.Put(o.buf)
	}
	o.pending, o.buf, o.head = nil, nil, 0
}
