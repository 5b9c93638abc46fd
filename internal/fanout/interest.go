package fanout

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// acquire takes one reference on each pattern, asking the bus to watch the
// ones nobody held, and returns once the bus delivers all of them and their
// last values kept by the bus (see LastValues) have been through the hub.
func (h *Hub) acquire(ctx context.Context, patterns []string) error {
	if h.opts.Bus == nil || len(patterns) == 0 {
		return nil
	}
	var fresh []string
	var primed, waits []chan struct{}
	h.interestMu.Lock()
	for _, p := range patterns {
		if h.refs[p] == 0 {
			fresh = append(fresh, p)
			c := make(chan struct{})
			h.primed[p] = c
			primed = append(primed, c)
		} else if c := h.primed[p]; c != nil {
			waits = append(waits, c) // its first holder is still priming it
		}
		h.refs[p]++
	}
	var err error
	if len(fresh) > 0 {
		err = h.opts.Bus.Watch(fresh)
	}
	h.interestMu.Unlock()
	if err == nil && len(fresh)+len(waits) > 0 {
		// Sync also for a pattern already watched whose holder is still
		// priming it: the Watch it waits for may not have taken effect.
		// Patterns held and primed need no round trip to the bus: a join
		// storm onto watched subjects costs the bus nothing.
		err = h.opts.Bus.Sync(ctx)
	}
	if err == nil {
		h.recall(ctx, fresh)
	}
	h.donePriming(fresh, primed)
	for _, c := range waits {
		if err != nil {
			break
		}
		select {
		case <-c:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		h.release(patterns)
		return fmt.Errorf("watch %d patterns: %w", len(patterns), err)
	}
	return nil
}

// recall hands the last values the bus keeps of patterns to the hub, as if
// they had just arrived, and waits until the hub goroutine has taken them:
// those not newer than what the hub has are dropped as stale, the others
// become last values (and reach any subscriber they match). Without such a
// bus, or when it fails, snapshots come from the updates this hub has seen.
func (h *Hub) recall(ctx context.Context, patterns []string) {
	lv, ok := h.opts.Bus.(LastValues)
	if !ok || len(patterns) == 0 {
		return
	}
	switch err := lv.LastValues(ctx, patterns, h.Deliver); {
	case err == nil:
	case ctx.Err() != nil: // the subscriber left, or the hub is closing
		h.log.Debug("snapshots from the bus abandoned", "patterns", len(patterns), "err", err)
	default:
		h.log.Warn("snapshots from the bus failed; serving those this gateway has seen", "patterns", len(patterns), "err", err)
	}
	h.settle(ctx)
}

// Resync replays the last values the bus keeps of every watched pattern. Call
// it when the bus comes back after losing its connection: each subscriber
// gets the newest update of every subject that changed meanwhile (updates are
// full state, so that is all it missed), and nothing it already has.
func (h *Hub) Resync(ctx context.Context) {
	if h.opts.Bus == nil {
		return
	}
	h.interestMu.Lock()
	patterns := slices.Collect(maps.Keys(h.refs))
	h.interestMu.Unlock()
	if len(patterns) == 0 {
		return
	}
	if err := h.opts.Bus.Sync(ctx); err != nil {
		h.log.Warn("resync after reconnect", "err", err)
		return
	}
	h.recall(ctx, patterns)
}

// settle returns once the hub goroutine has broadcast every update delivered
// before it was called (or the hub or ctx is done).
func (h *Hub) settle(ctx context.Context) {
	barrier := make(chan struct{})
	select {
	case h.inbox <- op{barrier: barrier}:
	case <-h.done:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-barrier:
	case <-h.done:
	case <-ctx.Done():
	}
}

// donePriming tells those waiting for patterns that their last values are in.
func (h *Hub) donePriming(patterns []string, primed []chan struct{}) {
	if len(patterns) == 0 {
		return
	}
	h.interestMu.Lock()
	defer h.interestMu.Unlock()
	for i, p := range patterns {
		close(primed[i])
		if h.primed[p] == primed[i] {
			delete(h.primed, p)
		}
	}
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
