package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// replyTimeout bounds the wait for an ack or pong: generous, since a sub
// made while NATS is away may wait for the broker to notice.
const replyTimeout = 30 * time.Second

// maxProblems bounds the protocol violations a watcher keeps word of.
const maxProblems = 20

// watcher is a client connection read by a goroutine of its own, which checks
// every message against the protocol as it arrives:
//   - an update's subject matches a pattern the connection holds, or one it
//     is leaving (whose unsub is not acknowledged yet);
//   - per subject, live seqs go up (a gap is conflation, an outage, or a
//     time unsubscribed) and a snapshot never goes back;
//   - no error reply.
//
// One op at a time is in flight (do); its ack or pong is handed back to it.
type watcher struct {
	name    string
	c       *client.Conn
	replies chan client.Message
	done    chan struct{} // closed when reading ends, readErr set
	readErr error

	mu        sync.Mutex
	held      map[string]bool // acknowledged patterns
	leaving   map[string]bool // patterns whose unsub is not acknowledged yet
	inflight  *op
	last      map[string]uint64 // highest seq seen, by subject
	updates   int
	snapshots int
	gaps      int // live updates that skipped seqs
	// repeats are live updates whose seq the snapshot just before gave. The
	// gateway must not send them (a client adding a pattern that overlaps
	// one it holds once got the update both ways); each is a problem.
	repeats      int
	snapshotLast map[string]bool      // by subject: whether its last seq came in a snapshot
	mark         int64                // publish time from which resumed counts
	resumed      map[string]time.Time // by subject: when its first update published after mark arrived
	problems     []string
	nProblems    int
}

// op is a sub, unsub or ping sent by a watcher.
type op struct {
	kind     string // "sub", "unsub", "ping"
	id       string
	patterns []string
}

// watch dials the gateway and reads the connection until the end of the test.
func watch(t *testing.T, a *App, k codec.Kind, name string) *watcher {
	t.Helper()
	w := &watcher{name: name, c: dial(t, a, k), replies: make(chan client.Message, 1), done: make(chan struct{}),
		held: map[string]bool{}, leaving: map[string]bool{}, last: map[string]uint64{}, snapshotLast: map[string]bool{}, resumed: map[string]time.Time{}}
	go w.read()
	t.Cleanup(w.close)
	return w
}

// close closes the connection and waits for the reader.
func (w *watcher) close() {
	_ = w.c.Close()
	<-w.done
}

func (w *watcher) read() {
	defer close(w.done)
	for {
		m, err := w.c.Next(context.Background())
		if err != nil {
			w.readErr = err
			return
		}
		switch m.Op {
		case "msg":
			w.update(m, time.Now())
			continue
		case "ack":
			w.acked(m)
		case "pong":
		case "error":
			w.problem("error reply %+v", m)
		default:
			w.problem("unknown op %+v", m)
			continue
		}
		select {
		case w.replies <- m:
		default:
			w.problem("a reply nobody waits for: %+v", m)
		}
	}
}

func (w *watcher) acked(m client.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	o := w.inflight
	if o == nil || fmt.Sprint(m.ID) != o.id {
		return // do reports it
	}
	for _, p := range o.patterns {
		if o.kind == "sub" {
			w.held[p] = true
		} else {
			delete(w.held, p)
			delete(w.leaving, p)
		}
	}
	w.inflight = nil
}

func (w *watcher) update(m client.Message, now time.Time) {
	h, err := m.Header()
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.problemLocked("update without seq: %+v: %v", m, err)
		return
	}
	if !w.coversLocked(m.Subject) {
		w.problemLocked("update of %s, which it does not hold (holds %v)", m.Subject, w.held)
	}
	last := w.last[m.Subject]
	switch {
	case m.Snapshot:
		w.snapshots++
		if h.Seq < last {
			w.problemLocked("%s snapshot seq %d after %d", m.Subject, h.Seq, last)
		}
	case h.Seq == last && w.snapshotLast[m.Subject]:
		w.repeats++
		w.problemLocked("%s live seq %d repeats the snapshot before it", m.Subject, h.Seq)
	case h.Seq <= last:
		w.problemLocked("%s seq %d after %d", m.Subject, h.Seq, last)
	default:
		w.updates++
		if last > 0 && h.Seq > last+1 {
			w.gaps++
		}
		if h.TS > w.mark && w.resumed[m.Subject].IsZero() {
			w.resumed[m.Subject] = now
		}
	}
	w.last[m.Subject] = max(last, h.Seq)
	w.snapshotLast[m.Subject] = m.Snapshot
}

func (w *watcher) coversLocked(subject string) bool {
	for _, set := range []map[string]bool{w.held, w.leaving} {
		for p := range set {
			if subscribe.Match(p, subject) {
				return true
			}
		}
	}
	return false
}

func (w *watcher) problem(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problemLocked(format, args...)
}

func (w *watcher) problemLocked(format string, args ...any) {
	w.nProblems++
	if len(w.problems) < maxProblems {
		w.problems = append(w.problems, fmt.Sprintf(format, args...))
	}
}

// do sends o and waits for its reply: an ack for a sub or unsub, a pong for
// a ping. It is safe to call from any one goroutine at a time.
func (w *watcher) do(o op) error {
	ctx, cancel := context.WithTimeout(context.Background(), replyTimeout)
	defer cancel()
	w.mu.Lock()
	if o.kind != "ping" {
		w.inflight = &o
	}
	if o.kind == "unsub" {
		for _, p := range o.patterns {
			w.leaving[p] = true
		}
	}
	w.mu.Unlock()
	var err error
	switch o.kind {
	case "sub":
		err = w.c.Sub(ctx, o.id, o.patterns...)
	case "unsub":
		err = w.c.Unsub(ctx, o.id, o.patterns...)
	default:
		err = w.c.Ping(ctx, o.id)
	}
	if err != nil {
		return fmt.Errorf("%s: send %s: %w", w.name, o.kind, err)
	}
	want := map[string]string{"sub": "ack", "unsub": "ack", "ping": "pong"}[o.kind]
	select {
	case m := <-w.replies:
		if m.Op != want || fmt.Sprint(m.ID) != o.id {
			return fmt.Errorf("%s: %s %s answered with %+v", w.name, o.kind, o.id, m)
		}
		return nil
	case <-w.done:
		return fmt.Errorf("%s: connection ended waiting for the %s of %s: %w", w.name, want, o.id, w.readErr)
	case <-ctx.Done():
		return fmt.Errorf("%s: no %s for %s %s within %v", w.name, want, o.kind, o.id, replyTimeout)
	}
}

// markResume starts counting, per subject, the first update published after
// now (by its ts) that arrives.
func (w *watcher) markResume(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.mark = now.UnixNano()
	clear(w.resumed)
}

// resumedAt is when the first update of subject published after the mark
// arrived; zero if none yet.
func (w *watcher) resumedAt(subject string) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.resumed[subject]
}

// counts returns the live updates received, how many came after a gap, and
// how many repeated the snapshot before them.
func (w *watcher) counts() (updates, gaps, repeats int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.updates, w.gaps, w.repeats
}

// verify fails the test on any protocol violation the watcher saw, or if the
// connection ended before the test closed it.
func (w *watcher) verify(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.nProblems > 0 {
		t.Errorf("%s: %d protocol violations, the first: %q", w.name, w.nProblems, w.problems)
	}
	select {
	case <-w.done:
		t.Errorf("%s: connection ended: %v", w.name, w.readErr)
	default:
	}
}
