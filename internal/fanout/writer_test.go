package fanout

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// writeLog records, in order, the name of each drainer written to.
type writeLog struct {
	mu    sync.Mutex
	names []string
	wrote chan struct{} // a token per write
}

func newWriteLog() *writeLog { return &writeLog{wrote: make(chan struct{}, 1024)} }

func (l *writeLog) add(name string) {
	l.mu.Lock()
	l.names = append(l.names, name)
	l.mu.Unlock()
	l.wrote <- struct{}{}
}

// wait waits for n writes and returns the log.
func (l *writeLog) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for range n {
		select {
		case <-l.wrote:
		case <-deadline:
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Fatalf("writes %q, want %d", l.names, n)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.names)
}

// fakeDrainer has frames to write; each write logs its name. While gate is
// not nil its writes wait for it to close.
type fakeDrainer struct {
	name    string
	log     *writeLog
	left    atomic.Int32
	gate    chan struct{}
	entered chan struct{} // a token each time a write starts
	stalls  chan struct{} // a token each time the pool says it stalled
}

func newFakeDrainer(name string, log *writeLog, frames int) *fakeDrainer {
	d := &fakeDrainer{name: name, log: log, entered: make(chan struct{}, 1024), stalls: make(chan struct{}, 16)}
	d.left.Store(int32(frames))
	return d
}

func (d *fakeDrainer) writeOne(wr *writer) bool {
	wr.begin()
	d.entered <- struct{}{}
	if d.gate != nil {
		<-d.gate
	}
	wr.end()
	d.log.add(d.name)
	return d.left.Add(-1) > 0
}

func (d *fakeDrainer) stalled() { d.stalls <- struct{}{} }

func newTestWriters(t *testing.T, interval time.Duration) *writers {
	w := newWriters(interval, time.Hour)
	t.Cleanup(w.close)
	return w
}

func TestWritersDrainEachReadyDrainerUntilItHasNoMore(t *testing.T) {
	w := newTestWriters(t, 0)
	log := newWriteLog()
	w.schedule(newFakeDrainer("a", log, 3))
	w.schedule(newFakeDrainer("b", log, 2))
	got := log.wait(t, 5)
	count := map[string]int{}
	for _, n := range got {
		count[n]++
	}
	if count["a"] != 3 || count["b"] != 2 {
		t.Fatalf("writes %q, want 3 to a and 2 to b", got)
	}
}

func TestADrainerWithMoreToWriteGoesBehindThoseReady(t *testing.T) {
	w := newTestWriters(t, 0)
	log := newWriteLog()
	busy := newFakeDrainer("busy", log, 3)
	busy.gate = make(chan struct{})
	w.schedule(busy)
	<-busy.entered // its first write holds the writer
	w.schedule(newFakeDrainer("next", log, 1))
	close(busy.gate)
	got := log.wait(t, 4)
	if i := slices.Index(got, "next"); i < 0 || i > 1 {
		t.Fatalf("writes %q: the drainer ready behind waited for more than one frame of the busy one", got)
	}
}

func TestClosedWritersWriteNothingMore(t *testing.T) {
	w := newWriters(0, time.Hour)
	log := newWriteLog()
	w.schedule(newFakeDrainer("a", log, 1))
	log.wait(t, 1)
	w.close()
	w.close() // idempotent
	w.schedule(newFakeDrainer("late", log, 1))
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.all) != 0 {
		t.Fatalf("%d writers after close, want none to write what is scheduled late", len(w.all))
	}
}
