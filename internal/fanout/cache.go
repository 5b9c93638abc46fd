package fanout

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// The match cache. Every concrete subject the hub has matched has an entry
// holding its result: the matching subs, the subs of one subscriber adjacent
// (broadcast delivers them together, once). A reader sees a result through
// two atomic loads and never waits for a subscription change: a change either
// appends past the end of the result the readers hold, where none of them
// reads, or publishes a new one (copy-on-write), under index.mu.
//
// Each reader keeps its own map from subject to entry (a matcher), which it
// reads without any lock. Entries are only dropped all at once, when the cache
// outgrows maxEntries; that bumps index.gen, which tells every matcher to
// start its map over, as nats-server's sublist does with its genid.

// entry is the cached result of one subject.
type entry struct {
	subject string
	res     atomic.Pointer[result] // nil: not computed, or invalidated
	stale   int                    // removed subs still in res; guarded by index.mu
}

// result is a subject's matching subs as published: readers see subs[:n].
// An append writes subs[n] and then moves n, so it allocates nothing until
// the array is full, and no reader ever reads what it writes.
type result struct {
	subs []*sub // its length is the capacity
	n    atomic.Int64
}

// newResult publishes subs, which it takes over, with room for as many
// again; it copies them only when their array has less.
func newResult(subs []*sub) *result {
	n := len(subs)
	subs = slices.Grow(subs, max(n, 4))
	r := &result{subs: subs[:cap(subs)]}
	r.n.Store(int64(n))
	return r
}

// load returns the subs published so far. Do not modify them.
func (r *result) load() []*sub { return r.subs[:r.n.Load()] }

// maxEntries bounds the cache; past it, the cache starts over.
const maxEntries = 1 << 16

// copyLimit is the largest result that a sub whose subscriber already holds
// another pattern of the subject is copied into; a larger one is invalidated.
const copyLimit = 256

// cacheAdd puts x into the cached results of the subjects it matches, in
// O(1) amortized per result, however many subs it has: x goes at the end,
// into spare capacity when there is some (readers only read up to the length
// they loaded) or into a copy of twice the size. Only when x's subscriber
// already holds another pattern matching the subject does x go next to it:
// a small result is copied with x in its place, a large one is invalidated
// and computed again at its next delivery. The caller holds mu, and is the
// call of x's subscriber that adds x: its patterns change only in such
// calls, one at a time, so overlaps reads them without the subscriber's
// mutex.
func (ix *index) cacheAdd(x *sub) {
	ix.eachEntry(x.pattern, func(e *entry) {
		r := e.res.Load()
		if r == nil {
			return
		}
		n := r.n.Load()
		if !x.s.overlaps(x.pattern, e.subject) {
			if int(n) == len(r.subs) {
				r = newResult(r.load()) // full: Grow copies, the readers keep the old array
				e.res.Store(r)
			}
			r.subs[n] = x
			r.n.Store(n + 1)
			return
		}
		if n >= copyLimit {
			e.res.Store(nil)
			e.stale = 0
			return
		}
		res := r.load()
		i := slices.IndexFunc(res, func(y *sub) bool { return y.s == x.s && !y.removed })
		if i < 0 {
			i = len(res)
		}
		e.res.Store(newResult(slices.Insert(slices.Clip(res), i, x)))
	})
}

// overlaps reports whether the subscriber has a sub in the index, other
// than pattern's, that matches subject. The caller holds index.mu (see
// cacheAdd).
func (s *Subscriber) overlaps(pattern, subject string) bool {
	if len(s.subs) <= 1 {
		return false // pattern is the one held
	}
	for p, y := range s.subs {
		if p != pattern && y.indexed && !y.removed && subscribe.Match(p, subject) {
			return true
		}
	}
	return false
}

// cacheRemove takes x out of the cached results of the subjects it matches.
// A result keeps x, which is no longer active (deliver skips it), and counts
// it as stale; once half of it is stale, it is compacted into a new result
// of the subs still in the index, in their order. So a removal costs O(1)
// amortized however many subs a subject has, and the hub goroutine never
// rebuilds a result for a leave. The caller holds mu, and x.removed is set.
func (ix *index) cacheRemove(x *sub) {
	ix.eachEntry(x.pattern, func(e *entry) {
		r := e.res.Load()
		if r == nil {
			return
		}
		old := r.load()
		if e.stale++; 2*e.stale < len(old) {
			return
		}
		res := make([]*sub, 0, 2*(len(old)-e.stale))
		for _, y := range old {
			if !y.removed {
				res = append(res, y)
			}
		}
		e.res.Store(newResult(res))
		e.stale = 0
	})
}

// eachEntry calls fn for every cached subject that pattern matches: one map
// lookup for a literal pattern, a scan of the cache for a wildcard.
func (ix *index) eachEntry(pattern string, fn func(*entry)) {
	if !wildcard(pattern) {
		if e := ix.entries[pattern]; e != nil {
			fn(e)
		}
		return
	}
	for subject, e := range ix.entries {
		if subscribe.Match(pattern, subject) {
			fn(e)
		}
	}
}

// wildcard reports whether pattern has a "*" or ">" token.
func wildcard(pattern string) bool { return strings.ContainsAny(pattern, "*>") }

// entry returns the cache entry of subject, creating it (empty) if needed.
func (ix *index) entry(subject string) *entry {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if e := ix.entries[subject]; e != nil {
		return e
	}
	if len(ix.entries) >= maxEntries {
		clear(ix.entries)
		ix.gen.Add(1)
	}
	e := &entry{subject: subject}
	ix.entries[subject] = e
	return e
}

// fill computes e's result if no one has since it was invalidated.
func (ix *index) fill(e *entry) []*sub {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if r := e.res.Load(); r != nil {
		return r.load()
	}
	r := newResult(ix.walk(e.subject))
	e.res.Store(r)
	e.stale = 0
	return r.load()
}

// matcher is one reader's view of the cache. It is not safe for concurrent
// use: each delivering goroutine has its own.
type matcher struct {
	ix    *index
	gen   uint64
	local map[string]*entry
}

func newMatcher(ix *index) *matcher {
	return &matcher{ix: ix, gen: ix.gen.Load(), local: make(map[string]*entry)}
}

// match returns the subs whose patterns match subject, grouped so that the
// subs of one subscriber are adjacent. The result is shared: do not modify it.
// On a cached subject it takes no lock and allocates nothing.
func (mt *matcher) match(subject string) []*sub {
	if g := mt.ix.gen.Load(); g != mt.gen {
		clear(mt.local)
		mt.gen = g
	}
	e := mt.local[subject]
	if e == nil {
		e = mt.ix.entry(subject)
		mt.local[subject] = e
	}
	if r := e.res.Load(); r != nil {
		return r.load()
	}
	return mt.ix.fill(e)
}
