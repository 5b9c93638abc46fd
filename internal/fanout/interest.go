package fanout

import (
	"context"
	"fmt"
)

// acquire takes one reference on each pattern, asking the bus to watch the
// ones nobody held, and returns once the bus delivers all of them.
func (h *Hub) acquire(ctx context.Context, patterns []string) error {
	if h.opts.Bus == nil || len(patterns) == 0 {
		return nil
	}
	var fresh []string
	h.interestMu.Lock()
	for _, p := range patterns {
		if h.refs[p] == 0 {
			fresh = append(fresh, p)
		}
		h.refs[p]++
	}
	var err error
	if len(fresh) > 0 {
		err = h.opts.Bus.Watch(fresh)
	}
	h.interestMu.Unlock()
	if err == nil {
		// Sync even when every pattern was already watched: its holder may
		// still be waiting for the same Watch to take effect.
		err = h.opts.Bus.Sync(ctx)
	}
	if err != nil {
		h.release(patterns)
		return fmt.Errorf("watch %d patterns: %w", len(patterns), err)
	}
	return nil
}

// release drops one reference on each pattern; the bus stops watching those
// nobody holds any more and their last values are forgotten.
func (h *Hub) release(patterns []string) {
	if h.opts.Bus == nil || len(patterns) == 0 {
		return
	}
	var gone []string
	h.interestMu.Lock()
	for _, p := range patterns {
		if h.refs[p]--; h.refs[p] <= 0 {
			delete(h.refs, p)
			gone = append(gone, p)
		}
	}
	if len(gone) > 0 {
		h.opts.Bus.Unwatch(gone)
	}
	h.interestMu.Unlock()
	if len(gone) > 0 {
		h.forget(gone)
	}
}

// Patterns returns the number of distinct patterns the bus is watching.
func (h *Hub) Patterns() int {
	h.interestMu.Lock()
	defer h.interestMu.Unlock()
	return len(h.refs)
}
