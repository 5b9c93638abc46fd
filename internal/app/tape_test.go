package app

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// tape records, in the background, the seq of every update a client
// receives, by subject, and which of them came as snapshots.
type tape struct {
	name    string
	mu      sync.Mutex
	seqs    map[string][]uint64
	snaps   map[string]uint64
	err     error
	changed chan struct{}
}

// record reads c until it closes. Call it before c's cleanup is registered
// (dial registers it), so that the reader has ended when the test does.
func record(t *testing.T, name string, c *client.Conn) *tape {
	tp := &tape{name: name, seqs: map[string][]uint64{}, snaps: map[string]uint64{}, changed: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := c.Next(context.Background())
			if err != nil {
				tp.mu.Lock()
				tp.err = err
				tp.mu.Unlock()
				return
			}
			if m.Op != "msg" {
				continue
			}
			h, err := m.Header()
			tp.mu.Lock()
			if err != nil {
				tp.err = err
			} else {
				tp.seqs[m.Subject] = append(tp.seqs[m.Subject], h.Seq)
				if m.Snapshot {
					tp.snaps[m.Subject] = h.Seq
				}
			}
			tp.mu.Unlock()
			select {
			case tp.changed <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() { _ = c.Close(); <-done })
	return tp
}

// last returns the newest seq received of subject, 0 if none.
func (tp *tape) last(subject string) uint64 {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	s := tp.seqs[subject]
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

// of returns a copy of the seqs received of subject.
func (tp *tape) of(subject string) []uint64 {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return slices.Clone(tp.seqs[subject])
}

// waitLast waits until the tape has seq (or later) of every subject.
func (tp *tape) waitLast(t *testing.T, seq uint64, subjects ...string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		missing := ""
		for _, s := range subjects {
			if tp.last(s) < seq {
				missing = s
				break
			}
		}
		if missing == "" {
			return
		}
		select {
		case <-tp.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			tp.mu.Lock()
			defer tp.mu.Unlock()
			t.Fatalf("%s: %s reached seq %v, want %d (read error: %v)", tp.name, missing, tp.seqs[missing], seq, tp.err)
		}
	}
}

// dialRecorded dials a and records what the connection receives.
func dialRecorded(t *testing.T, a *App, k codec.Kind, name string) (*client.Conn, *tape) {
	t.Helper()
	c, err := client.Dial(testCtx(t), wsURL(a), client.DialOptions{Codec: wire(k)})
	if err != nil {
		t.Fatal(err)
	}
	return c, record(t, name, c)
}
