package fanout

import (
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// pacer queues the updates that a subscription's max rate holds back when
// they are due: one goroutine and one timer for the whole hub, armed only
// while something is held. Each held subject is in it at most once, so its
// cost is O(log n) per update held and per flush, never a visit of every
// subscriber.
type pacer struct {
	clock clock
	mu    sync.Mutex
	due   dueHeap
	wake  chan struct{}
}

// add has st flushed at t. The caller holds st's Subscriber's mu.
func (p *pacer) add(st *subjectState, t time.Time) {
	p.mu.Lock()
	p.due.push(dueEntry{at: t, st: st})
	first := p.due[0].st == st
	p.mu.Unlock()
	if first {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// run flushes what is due until done closes.
func (p *pacer) run(done <-chan struct{}) {
	var timer clockwork.Timer
	var fire <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var batch []*subjectState
	for {
		select {
		case <-p.wake:
		case <-fire:
		case <-done:
			return
		}
		now := p.clock.Now()
		p.mu.Lock()
		for len(p.due) > 0 && !p.due[0].at.After(now) {
			batch = append(batch, p.due.pop().st)
		}
		var next time.Duration = -1
		if len(p.due) > 0 {
			next = p.due[0].at.Sub(now)
		}
		p.mu.Unlock()
		for i, st := range batch {
			st.s.flush(st, now)
			batch[i] = nil
		}
		batch = batch[:0]
		switch {
		case next < 0:
			fire = nil
		case timer == nil:
			timer = p.clock.NewTimer(next)
			fire = timer.Chan()
		default:
			timer.Reset(next)
			fire = timer.Chan()
		}
	}
}

type dueEntry struct {
	at time.Time
	st *subjectState
}

// dueHeap is a binary min-heap of entries by due time. It is written out
// rather than through container/heap, whose interface would box every entry
// pushed: holding an update back allocates nothing.
type dueHeap []dueEntry

func (h *dueHeap) push(e dueEntry) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		parent := (i - 1) / 2
		if !q[i].at.Before(q[parent].at) {
			break
		}
		q[i], q[parent] = q[parent], q[i]
		i = parent
	}
}

func (h *dueHeap) pop() dueEntry {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q[last] = dueEntry{}
	q = q[:last]
	for i := 0; ; {
		small, l, r := i, 2*i+1, 2*i+2
		if l < len(q) && q[l].at.Before(q[small].at) {
			small = l
		}
		if r < len(q) && q[r].at.Before(q[small].at) {
			small = r
		}
		if small == i {
			break
		}
		q[i], q[small] = q[small], q[i]
		i = small
	}
	*h = q
	return top
}
