package fanout

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
)

func counterValue(t testing.TB, c prometheus.Collector) float64 {
	t.Helper()
	return testutil.ToFloat64(c)
}

// recorder is an in-memory Transport: it keeps every frame written, or
// blocks writes while stalled.
type recorder struct {
	mu      sync.Mutex
	frames  [][]byte
	closed  closecode.Code // 0 while open
	reason  string
	gone    chan struct{} // closed by the first Close
	stalled chan struct{} // non-nil: Write waits until it is closed
	entered chan struct{} // a token each time Write starts
	wrote   chan struct{} // a token each time Write returns
}

func newRecorder() *recorder {
	return &recorder{entered: make(chan struct{}, 1<<16), wrote: make(chan struct{}, 1<<16), gone: make(chan struct{})}
}

func (r *recorder) Write(p []byte) error {
	r.entered <- struct{}{}
	r.mu.Lock()
	st := r.stalled
	r.mu.Unlock()
	if st != nil {
		<-st
	}
	r.mu.Lock()
	r.frames = append(r.frames, bytes.Clone(p))
	r.mu.Unlock()
	r.wrote <- struct{}{}
	return nil
}

func (r *recorder) Close(code closecode.Code, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed == 0 {
		r.closed, r.reason = code, reason
		close(r.gone)
	}
}

// waitClosed waits for the core to close the connection and returns the
// code and reason.
func (r *recorder) waitClosed(t *testing.T) (closecode.Code, string) {
	t.Helper()
	select {
	case <-r.gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection was not closed")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed, r.reason
}

// messages splits the recorded JSON frames into messages.
func (r *recorder) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, f := range r.frames {
		for _, m := range bytes.Split(f, []byte{'\n'}) {
			out = append(out, string(m))
		}
	}
	return out
}

// waitMessages waits until n messages have been written.
func (r *recorder) waitMessages(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if ms := r.messages(); len(ms) >= n {
			return ms
		}
		select {
		case <-r.wrote:
		case <-deadline:
			t.Fatalf("have %d messages, want %d: %q", len(r.messages()), n, r.messages())
		}
	}
}

func payload(t testing.TB, seq uint64) []byte {
	b, err := msgpack.Marshal(&codec.Quote{Symbol: "X", Last: float64(seq), Seq: seq, TS: int64(seq)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newTestHub(t *testing.T, opts Options) *Hub {
	h := NewHub(opts)
	t.Cleanup(h.Close)
	return h
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
	}
}

// memBus is an in-memory Bus that records what the hub watches.
type memBus struct {
	mu       sync.Mutex
	watching map[string]bool
	syncs    int
}

func (b *memBus) Watch(patterns []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range patterns {
		b.watching[p] = true
	}
	return nil
}

func (b *memBus) Unwatch(patterns []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range patterns {
		delete(b.watching, p)
	}
}

func (b *memBus) Sync(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.syncs++
	return nil
}
