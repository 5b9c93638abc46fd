package fanout

import (
	"slices"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// lastValue is what the hub keeps of a subject: the header of its newest
// update, which decides whether a later one is newer, and the update itself
// while the hub follows the subject (nil once forgotten). m holds a reference.
type lastValue struct {
	header codec.Header
	m      *message
}

// keep makes m its subject's last value unless it is not newer than the one
// kept, and reports whether it did. A forgotten subject also takes back the
// very update it had: the bus replays it when the hub watches it again. The
// caller holds lastMu.
func (h *Hub) keep(m *message) bool {
	old, seen := h.last[m.subject]
	restored := old.m == nil && m.header == old.header
	if seen && !m.header.NewerThan(old.header) && !restored {
		return false
	}
	switch {
	case old.m == nil:
		h.metrics.lastValues.Inc()
		h.valued++ // the subject lists of snapshots change
	case old.header.Seq+1 == m.header.Seq:
		m.prev = old.m // the base of m's delta, released once m is broadcast
	default:
		old.m.release()
	}
	m.retain()
	h.kept++
	m.order = h.kept
	h.last[m.subject] = lastValue{header: m.header, m: m}
	return true
}

// forget drops the last values of subjects matching patterns that no pattern
// in the index matches any more, so a later subscriber is never handed a value
// the hub stopped following. It keeps their headers: a late copy of an old
// update, still on its way through the bus, must not pass for a new one.
func (h *Hub) forget(patterns []string) {
	h.dropLists(patterns)
	h.lastMu.Lock()
	defer h.lastMu.Unlock()
	drop := func(subject string, v lastValue) {
		if v.m != nil && len(h.matcher.match(subject)) == 0 {
			h.last[subject] = lastValue{header: v.header}
			v.m.release()
			h.metrics.lastValues.Dec()
			h.valued++
		}
	}
	if !slices.ContainsFunc(patterns, wildcard) {
		for _, p := range patterns {
			drop(p, h.last[p])
		}
		return
	}
	for subject, v := range h.last {
		if slices.ContainsFunc(patterns, func(p string) bool { return subscribe.Match(p, subject) }) {
			drop(subject, v)
		}
	}
}
