package fanout

import (
	"sync"
	"time"
)

// slowWatch tracks the connections whose queue stays over its bound after
// conflation, so that one is closed after SlowTimeout even if nothing more is
// pushed to it.
type slowWatch struct {
	mu   sync.Mutex
	over map[*Subscriber]struct{}
}

func (w *slowWatch) add(s *Subscriber) {
	w.mu.Lock()
	w.over[s] = struct{}{}
	w.mu.Unlock()
}

func (w *slowWatch) remove(s *Subscriber) {
	w.mu.Lock()
	delete(w.over, s)
	w.mu.Unlock()
}

// watchSlow closes, a few times per SlowTimeout, the connections that have
// been over their bound for longer.
func (h *Hub) watchSlow() {
	defer h.wg.Done()
	t := time.NewTicker(max(h.opts.SlowTimeout/4, 10*time.Millisecond))
	defer t.Stop()
	var late []*Subscriber
	for {
		select {
		case <-t.C:
		case <-h.done:
			return
		}
		h.slow.mu.Lock()
		for s := range h.slow.over {
			late = append(late, s)
		}
		h.slow.mu.Unlock()
		now := time.Now()
		for _, s := range late {
			s.mu.Lock()
			if !s.overSince.IsZero() && now.Sub(s.overSince) >= h.opts.SlowTimeout {
				s.closeSlow()
			}
			s.mu.Unlock()
		}
		clear(late)
		late = late[:0]
	}
}
