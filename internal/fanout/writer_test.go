package fanout

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
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

// newTestWriters returns writers on a fake clock, with a slow timeout of a
// second: nothing that waits on time happens until the test moves the clock.
func newTestWriters(t *testing.T, interval time.Duration) (*writers, *clockwork.FakeClock) {
	clock := clockwork.NewFakeClock()
	w := newWriters(interval, time.Second, clockOf(clock))
	t.Cleanup(w.close)
	return w, clock
}

func TestWritersDrainEachReadyDrainerUntilItHasNoMore(t *testing.T) {
	w, _ := newTestWriters(t, 0)
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
	w, _ := newTestWriters(t, 0)
	log := newWriteLog()
	busy := newFakeDrainer("busy", log, 3)
	busy.gate = make(chan struct{})
	w.schedule(busy)
	<-busy.entered // its first write holds the only writer
	w.schedule(newFakeDrainer("next", log, 1))
	close(busy.gate)
	if got := log.wait(t, 4); !slices.Equal(got, []string{"busy", "next", "busy", "busy"}) {
		t.Fatalf("writes %q, want one frame of the busy drainer, then the one ready behind it", got)
	}
}

func TestAWriterStuckOnOnePeerDoesNotHoldBackTheOthers(t *testing.T) {
	w, clock := newTestWriters(t, 0)
	log := newWriteLog()
	stuck := newFakeDrainer("stuck", log, 1)
	stuck.gate = make(chan struct{})
	defer close(stuck.gate)
	w.schedule(stuck)
	<-stuck.entered
	w.schedule(newFakeDrainer("other", log, 1))
	clock.Advance(stuckAfter + time.Millisecond) // the monitor finds the writer stuck
	if got := log.wait(t, 1); !slices.Equal(got, []string{"other"}) {
		t.Fatalf("writes %q, want the other drainer's while the stuck one still waits", got)
	}
}

func TestAPeerBlockedInOneWriteForTheSlowTimeoutIsToldItStalled(t *testing.T) {
	w, clock := newTestWriters(t, 0)
	log := newWriteLog()
	d := newFakeDrainer("stalled", log, 1)
	d.gate = make(chan struct{})
	defer close(d.gate)
	w.schedule(d)
	<-d.entered
	clock.Advance(w.slow + stuckAfter)
	select {
	case <-d.stalls:
	case <-time.After(10 * time.Second):
		t.Fatal("the drainer was not told it stalled")
	}
}

func TestAFlushIntervalHoldsDrainersUntilTheNextTick(t *testing.T) {
	const interval = 100 * time.Millisecond
	w, clock := newTestWriters(t, interval)
	log := newWriteLog()
	w.schedule(newFakeDrainer("a", log, 1))
	w.schedule(newFakeDrainer("b", log, 1))
	w.mu.Lock()
	due, ready := len(w.due), len(w.ready)-w.head
	w.mu.Unlock()
	if due != 2 || ready != 0 {
		t.Fatalf("%d due and %d ready before the tick, want 2 and 0", due, ready)
	}
	clock.Advance(interval)
	got := log.wait(t, 2) // by one writer or two, in either order
	if slices.Sort(got); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("writes %q after the tick, want a and b", got)
	}
}

func TestClosedWritersWriteNothingMore(t *testing.T) {
	w := newWriters(0, time.Second, clockOf(clockwork.NewFakeClock()))
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
