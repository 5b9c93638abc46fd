package fanout

import (
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// slowWatch tracks the connections whose outbox went over its bound after
// conflation, so that one is closed after SlowTimeout even if nothing more
// is pushed to it. A connection leaves the watch at the first tick that
// finds its outbox within its bound, or closed.
type slowWatch struct {
	mu   sync.Mutex // taken before a Subscriber's
	over map[*Subscriber]struct{}
}

// add watches s, whose outbox just went over its bound.
func (w *slowWatch) add(s *Subscriber) {
	w.mu.Lock()
	w.over[s] = struct{}{}
	w.mu.Unlock()
}

// expire gives up the outboxes that have been over their bound for the slow
// timeout at now, appending their subscribers to late for the caller to
// close, and forgets those back within it. It holds mu while it asks the
// outboxes, so that an outbox that goes over its bound again meanwhile is
// added back after, not lost.
func (w *slowWatch) expire(now time.Time, late []*Subscriber) []*Subscriber {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.over {
		s.mu.Lock()
		gaveUp, over := s.out.expire(now)
		s.mu.Unlock()
		if !over {
			delete(w.over, s)
		}
		if gaveUp {
			late = append(late, s)
		}
	}
	return late
}

// watchSlow closes, at every tick of t (a few times per SlowTimeout), the
// connections that have been over their bound for longer.
func (h *Hub) watchSlow(t clockwork.Ticker) {
	defer h.wg.Done()
	defer t.Stop()
	var late []*Subscriber
	for {
		select {
		case <-t.Chan():
		case <-h.done:
			return
		}
		late = h.slow.expire(h.clock.Now(), late)
		for _, s := range late {
			s.slowConsumer()
		}
		clear(late)
		late = late[:0]
	}
}
