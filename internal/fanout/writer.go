package fanout

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
)

// drainer is what the writer pool drains: a connection and its outbox.
type drainer interface {
	// writeOne writes the next frame of what is pending, calling wr.begin
	// and wr.end around the write itself. It reports whether more is
	// pending, in which case the pool comes back to it.
	writeOne(wr *writer) (more bool)
	// stalled says that one write to the drainer has been blocked for the
	// slow timeout: its peer is not reading.
	stalled()
}

// writers drain drainers. One whose outbox gets its first pending message
// joins a ready list (FIFO), which a few writer goroutines (about one per
// CPU) work through, one frame per turn, so that a broadcast to thousands of
// connections wakes one goroutine, not thousands, and an idle connection
// holds no goroutine at all.
//
// A write to a stalled peer blocks its writer. A monitor notices writers that
// have been inside one write for longer than stuckAfter and, while the list
// waits, starts more writers, so that stalled peers never hold back the
// others; the extra writers go away once idle. A peer that has not taken a
// single write for the slow timeout is not reading at all: the monitor tells
// its drainer it stalled. In the steady state nothing here allocates.
//
// With a flush interval, a drainer waits for the next tick of the monitor
// before it joins the list, so that what arrives meanwhile leaves in the same
// frame.
type writers struct {
	mu     sync.Mutex
	wake   sync.Cond
	ready  []drainer // ready[head:] wait for a writer
	head   int
	due    []drainer // wait for the next flush tick
	all    []*writer
	parked int
	closed bool

	target   int           // writers meant to be making progress
	interval time.Duration // the flush interval, 0 for none
	slow     time.Duration // the slow timeout
	clock    clock
	tick     time.Duration    // the monitor's period
	ticker   clockwork.Ticker // the monitor's
	stuck    atomic.Int32     // writers found stuck at the last check
	done     chan struct{}
	wg       sync.WaitGroup
}

// writer is one writer goroutine's state.
type writer struct {
	batch []item       // scratch space for its drainer's batches
	since atomic.Int64 // when its current write started (Unix ns); 0: none
	cur   drainer      // what it drains; guarded by writers.mu
	clock clock
	lives uint32 // live updates it has written, for sampleLatency
}

// latencyEvery is the sampling of ticker_delivery_latency_seconds: a writer
// observes the first live update it writes and one in latencyEvery after
// that. An observation costs more than the rest of a delivery outside the
// write itself (a clock read, and a native histogram's bucket lookup), and
// one in 7 leaves thousands of samples a second for the quantiles wherever
// the latency matters. 7 is prime so that a fan-out of a round number of
// subscribers, written in the same order for every update, is sampled at
// every position, not at the same few.
const latencyEvery = 7

// sampleLatency observes the end-to-end latency of the sampled live updates
// of batch, just written.
func (wr *writer) sampleLatency(m *Metrics, c clock, batch []item) {
	var now int64
	for _, it := range batch {
		if !it.live {
			continue
		}
		n := wr.lives
		wr.lives++
		if n%latencyEvery != 0 {
			continue
		}
		if now == 0 {
			now = c.Now().UnixNano()
		}
		m.observeLatency(now - it.m.header.TS)
	}
}

// begin notes that a write starts.
func (wr *writer) begin() { wr.since.Store(wr.clock.Now().UnixNano()) }

// end notes that the write is over.
func (wr *writer) end() { wr.since.Store(0) }

// stuckAfter is how long one write may block its writer before the monitor
// counts the writer as stuck on a slow peer.
const stuckAfter = 10 * time.Millisecond

func newWriters(interval, slow time.Duration, clock clock) *writers {
	w := &writers{
		target:   runtime.GOMAXPROCS(0),
		interval: interval,
		slow:     slow,
		clock:    clock,
		tick:     stuckAfter,
		done:     make(chan struct{}),
	}
	if interval > 0 {
		w.tick = min(w.tick, interval)
	}
	w.wake.L = &w.mu
	w.ticker = clock.NewTicker(w.tick) // here, not in monitor: see NewHub
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

// schedule puts d, whose outbox just got its first pending message, on the
// ready list, or with a flush interval on the list for the next tick.
func (w *writers) schedule(d drainer) {
	w.mu.Lock()
	if w.interval > 0 {
		w.due = append(w.due, d)
	} else {
		w.readyLocked(d)
	}
	w.mu.Unlock()
}

// readyLocked appends d to the ready list and makes sure a writer will come.
func (w *writers) readyLocked(d drainer) {
	w.ready = append(w.ready, d)
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
	wr := &writer{clock: w.clock}
	w.all = append(w.all, wr)
	w.wg.Add(1)
	go w.run(wr)
}

// next puts back prev, the drainer wr has just written to, if it has more,
// and takes the next ready drainer, parking while there is none. It returns
// nil when the writer should exit.
func (w *writers) next(wr *writer, prev drainer, more bool) drainer {
	w.mu.Lock()
	defer w.mu.Unlock()
	if more {
		w.ready = append(w.ready, prev)
	}
	wr.cur = nil
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
	d := w.ready[w.head]
	w.ready[w.head] = nil
	w.head++
	if w.head > len(w.ready)/2 { // keep the array from growing while never empty
		n := copy(w.ready, w.ready[w.head:])
		clear(w.ready[n:])
		w.ready, w.head = w.ready[:n], 0
	}
	wr.cur = d
	return d
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

// run is a writer goroutine: it writes one frame for each ready drainer in
// turn, putting back those with more to write.
func (w *writers) run(wr *writer) {
	defer w.wg.Done()
	var d drainer
	more := false
	for {
		if d = w.next(wr, d, more); d == nil {
			return
		}
		more = d.writeOne(wr)
	}
}

// monitor counts stuck writers and starts others in their place while the
// ready list waits, and tells the drainers stuck for the slow timeout; with
// a flush interval it also moves the due drainers to the ready list on every
// tick.
func (w *writers) monitor() {
	defer w.wg.Done()
	defer w.ticker.Stop()
	var dead []drainer
	var flushed int64
	for {
		select {
		case <-w.ticker.Chan():
		case <-w.done:
			return
		}
		now := w.clock.Now().UnixNano()
		flush := w.interval > 0 && now-flushed >= int64(w.interval)-int64(w.tick)/2
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
			if wr.cur != nil && now-since > int64(w.slow) {
				dead = append(dead, wr.cur)
			}
		}
		w.stuck.Store(int32(stuck))
		if flush {
			for _, d := range w.due {
				w.readyLocked(d)
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
		for _, d := range dead {
			d.stalled()
		}
		clear(dead)
		dead = dead[:0]
	}
}
