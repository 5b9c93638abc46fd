package fanout

import (
	"slices"
	"strings"
	"sync"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Snapshots of wildcard patterns. A join storm asks for the snapshot of the
// same pattern thousands of times at once, and each is read under lastMu,
// which holds back every broadcast while a scan of all the last values and a
// sort would run. So the subjects that a wildcard pattern matches are listed
// once, sorted, and the list is shared by every snapshot of that pattern
// until a subject gains or loses its last value: a snapshot then costs one
// lookup per subject it carries, and concurrent ones wait for the one that
// builds the list instead of each scanning.

// subjectLists caches, per wildcard pattern, the sorted subjects with a last
// value that it matches.
type subjectLists struct {
	mu    sync.Mutex
	lists map[string]subjectList
}

// subjectList is one pattern's list, valid while Hub.valued is gen.
type subjectList struct {
	gen      uint64
	subjects []string // shared: never modified
}

// subjectsOf returns the sorted subjects with a last value that the wildcard
// pattern matches. The caller holds lastMu, for reading at least.
func (h *Hub) subjectsOf(pattern string) []string {
	c := &h.lists
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.lists[pattern]; ok && l.gen == h.valued {
		return l.subjects
	}
	var subjects []string
	for subject, v := range h.last {
		if v.m != nil && subscribe.Match(pattern, subject) {
			subjects = append(subjects, subject)
		}
	}
	slices.Sort(subjects)
	if c.lists == nil {
		c.lists = make(map[string]subjectList)
	}
	c.lists[pattern] = subjectList{gen: h.valued, subjects: subjects}
	return subjects
}

// dropLists forgets the lists of patterns the hub no longer follows.
func (h *Hub) dropLists(patterns []string) {
	c := &h.lists
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range patterns {
		delete(c.lists, p)
	}
}

// snapshot returns, sorted by subject and once each, the last value of every
// subject matching any of patterns: one lookup for a literal pattern, the
// shared list of a wildcard. The caller holds lastMu (read) while it uses
// them.
func (h *Hub) snapshot(patterns []string) []*message {
	var found []*message
	wild := false
	for _, p := range patterns {
		if !wildcard(p) {
			if v := h.last[p]; v.m != nil {
				found = append(found, v.m)
			}
			continue
		}
		wild = true
		for _, subject := range h.subjectsOf(p) {
			found = append(found, h.last[subject].m)
		}
	}
	if len(patterns) > 1 {
		slices.SortFunc(found, func(a, b *message) int { return strings.Compare(a.subject, b.subject) })
		if wild {
			found = slices.Compact(found) // a subject two patterns match
		}
	}
	return found
}
