package fanout

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// The match cache. Every concrete subject the hub has matched has an entry
// holding its result: the matching subs, sorted by subscriber. A result is
// immutable; a subscription change replaces the results it affects
// (copy-on-write) under index.mu, so a delivery reads its result with one
// atomic load and never waits for a subscription change.
//
// Each reader keeps its own map from subject to entry (a matcher), which it
// reads without any lock. Entries are only dropped all at once, when the cache
// outgrows maxEntries; that bumps index.gen, which tells every matcher to
// start its map over, as nats-server's sublist does with its genid.

// entry is the cached result of one subject.
type entry struct {
	subject string
	subs    atomic.Pointer[[]*sub] // nil: not computed, or invalidated
	stale   int                    // removed (inactive) subs still in subs; guarded by index.mu
}

// maxEntries bounds the cache; past it, the cache starts over.
const maxEntries = 1 << 16

// copyLimit is the largest result a subscription change copies; a larger one
// is invalidated instead and computed again at its next delivery, so that
// thousands of clients subscribing to one subject cost linear, not quadratic,
// time.
const copyLimit = 256

// cacheAdd puts x into the cached results of the subjects it matches. The
// caller holds mu.
func (ix *index) cacheAdd(x *sub) {
	ix.eachEntry(x.pattern, func(e *entry) {
		p := e.subs.Load()
		if p == nil {
			return
		}
		if len(*p) >= copyLimit {
			e.subs.Store(nil)
			e.stale = 0
			return
		}
		i, _ := slices.BinarySearchFunc(*p, x, bySubscriber)
		res := slices.Insert(slices.Clip(*p), i, x)
		e.subs.Store(&res)
	})
}

// cacheRemove takes x out of the cached results of the subjects it matches.
// A small result is copied without x. A large one keeps x, which is no
// longer active (deliver skips it), and counts it as stale; once half of it
// is stale, it is invalidated and computed again at its next delivery. So a
// removal costs O(1) amortized however many subs a subject has, and a mass
// leave of n subs rebuilds a result O(log n) times, not n. The caller holds
// mu, and x.active is already false.
func (ix *index) cacheRemove(x *sub) {
	ix.eachEntry(x.pattern, func(e *entry) {
		p := e.subs.Load()
		if p == nil {
			return
		}
		if len(*p) >= copyLimit {
			e.stale++
			if 2*e.stale >= len(*p) {
				e.subs.Store(nil)
				e.stale = 0
			}
			return
		}
		i := slices.Index(*p, x)
		if i < 0 {
			return
		}
		res := slices.Delete(slices.Clone(*p), i, i+1)
		e.subs.Store(&res)
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
	if p := e.subs.Load(); p != nil {
		return *p
	}
	res := ix.walk(e.subject)
	e.subs.Store(&res)
	e.stale = 0
	return res
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
	if p := e.subs.Load(); p != nil {
		return *p
	}
	return mt.ix.fill(e)
}
