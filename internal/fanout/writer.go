package fanout

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// writers drain queues. A queue that gets its first pending message joins a
// ready list (FIFO), which a few writer goroutines (about one per CPU) work
// through, one frame per turn, so that a broadcast to thousands of
// connections wakes one goroutine, not thousands, and an idle connection
// holds no goroutine at all.
//
// A write to a stalled peer blocks its writer. A monitor notices writers that
// have been inside one write for longer than stuckAfter and, while the list
// waits, starts more writers, so that stalled peers never hold back the
// others; the extra writers go away once idle. A peer that has not taken a
// single write for the slow timeout is not reading at all: the monitor closes
// it as a slow consumer. In the steady state nothing here allocates.
//
// With a flush interval, a queue waits for the next tick of the monitor
// before it joins the list, so that what arrives meanwhile leaves in the same
// frame.
type writers struct {
	mu     sync.Mutex
	wake   sync.Cond
	ready  []*Subscriber // ready[head:] wait for a writer
	head   int
	due    []*Subscriber // wait for the next flush tick
	all    []*writer
	parked int
	closed bool

	target   int           // writers meant to be making progress
	interval time.Duration // the flush interval, 0 for none
	slow     time.Duration // the slow timeout
	stuck    atomic.Int32  // writers found stuck at the last check
	done     chan struct{}
	wg       sync.WaitGroup
}

// writer is one writer goroutine's state the monitor reads.
type writer struct {
	since atomic.Int64               // when its current write started (Unix ns); 0: none
	cur   atomic.Pointer[Subscriber] // whose queue it is writing
}

// stuckAfter is how long one write may block its writer before the monitor
// counts the writer as stuck on a slow peer.
const stuckAfter = 10 * time.Millisecond

func newWriters(interval, slow time.Duration) *writers {
	w := &writers{
		target:   runtime.GOMAXPROCS(0),
		interval: interval,
		slow:     slow,
		done:     make(chan struct{}),
	}
	w.wake.L = &w.mu
	w.wg.Add(1)
	go w.monitor()
	return w
}

// close stops idle writers and the monitor and waits for busy writers to
// finish their connection. Queues scheduled afterwards are not written. It is
// idempotent.
func (w *writers) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		w.wake.Broadcast()
		close(w.done)
	}
	w.mu.Unlock()
	w.wg.Wait()
}

// schedule puts s, whose queue just got its first pending message, on the
// ready list, or with a flush interval on the list for the next tick.
func (w *writers) schedule(s *Subscriber) {
	w.mu.Lock()
	if w.interval > 0 {
		w.due = append(w.due, s)
	} else {
		w.readyLocked(s)
	}
	w.mu.Unlock()
}

// readyLocked appends s to the ready list and makes sure a writer will come.
func (w *writers) readyLocked(s *Subscriber) {
	w.ready = append(w.ready, s)
	awake := len(w.all) - w.parked - int(w.stuck.Load())
	switch {
	case w.closed:
	case w.parked > 0 && awake < w.target:
		w.wake.Signal()
	case len(w.all) == 0:
		w.spawnLocked()
	}
}

func (w *writers) spawnLocked() {
	wr := &writer{}
	w.all = append(w.all, wr)
	w.wg.Add(1)
	go w.run(wr)
}

// next takes the next ready subscriber, parking while there is none. It
// returns nil when the writer should exit.
func (w *writers) next(wr *writer) *Subscriber {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.head == len(w.ready) {
		w.ready, w.head = w.ready[:0], 0
		if w.closed || w.parked >= w.target {
			w.all = deleteWriter(w.all, wr)
			return nil
		}
		w.parked++
		w.wake.Wait()
		w.parked--
	}
	s := w.ready[w.head]
	w.ready[w.head] = nil
	w.head++
	if w.head > len(w.ready)/2 { // keep the array from growing while never empty
		n := copy(w.ready, w.ready[w.head:])
		clear(w.ready[n:])
		w.ready, w.head = w.ready[:n], 0
	}
	return s
}

func deleteWriter(all []*writer, wr *writer) []*writer {
	for i, x := range all {
		if x == wr {
			all[i] = all[len(all)-1]
			all[len(all)-1] = nil
			return all[:len(all)-1]
		}
	}
	return all
}

// run is a writer goroutine: it writes one frame for each ready subscriber in
// turn, putting back those with more to write.
func (w *writers) run(wr *writer) {
	defer w.wg.Done()
	var batch []item
	for {
		s := w.next(wr)
		if s == nil {
			return
		}
		var more bool
		wr.cur.Store(s)
		batch, more = s.writeOne(wr, batch)
		wr.cur.Store(nil)
		if more {
			w.mu.Lock()
			w.ready = append(w.ready, s)
			w.mu.Unlock()
		}
	}
}

// monitor counts stuck writers and starts others in their place while the
// ready list waits; with a flush interval it also moves the due queues to
// the ready list on every tick.
func (w *writers) monitor() {
	defer w.wg.Done()
	tick := stuckAfter
	if w.interval > 0 {
		tick = min(tick, w.interval)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	var dead []*Subscriber
	var flushed int64
	for {
		select {
		case <-t.C:
		case <-w.done:
			return
		}
		now := time.Now().UnixNano()
		flush := w.interval > 0 && now-flushed >= int64(w.interval)-int64(tick)/2
		if flush {
			flushed = now
		}
		w.mu.Lock()
		stuck := 0
		for _, wr := range w.all {
			since := wr.since.Load()
			if since == 0 || now-since <= int64(stuckAfter) {
				continue
			}
			stuck++
			if s := wr.cur.Load(); s != nil && now-since > int64(w.slow) {
				dead = append(dead, s)
			}
		}
		w.stuck.Store(int32(stuck))
		if flush {
			for _, s := range w.due {
				w.readyLocked(s)
			}
			clear(w.due)
			w.due = w.due[:0]
		}
		if !w.closed && w.head < len(w.ready) {
			for awake := len(w.all) - w.parked - stuck; awake < w.target; awake++ {
				if w.parked > 0 {
					w.wake.Signal()
				} else {
					w.spawnLocked()
				}
			}
		}
		w.mu.Unlock()
		for _, s := range dead {
			s.stalled()
		}
		clear(dead)
		dead = dead[:0]
	}
}
