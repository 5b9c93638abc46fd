package fanout

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sub is one pattern held by one subscriber. active is guarded by the
// subscriber's mutex: the hub checks it under that mutex before queueing, so
// nothing of an unsubscribed pattern is queued after its ack.
type sub struct {
	s        *Subscriber
	pattern  string
	active   bool
	interval time.Duration // from SubOptions.MaxRate; 0: no limit. Guarded like active
	delta    bool          // SubOptions.Delta. Guarded like active
	indexed  bool          // put in the index; guarded by index.mu
	removed  bool          // taken out of the index, or never to be put in; guarded by index.mu
}

// index maps concrete subjects to the subs whose patterns match them: a trie
// over tokens with "*" and ">" children, as nats-server's sublist, and a cache
// of match results keyed by concrete subject (see cache.go). Writers (add,
// remove) take mu; deliveries read the cache without it.
type index struct {
	mu      sync.Mutex
	root    level
	entries map[string]*entry // the cache; see cache.go
	gen     atomic.Uint64     // bumped when entries are evicted
}

type level struct {
	nodes    map[string]*node
	pwc, fwc *node // "*" and ">"
}

type node struct {
	next level
	subs map[*sub]struct{}
}

func newIndex() *index { return &index{entries: make(map[string]*entry)} }

// nextToken splits s at its first dot.
func nextToken(s string) (tok, rest string, more bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func (l *level) child(tok string, create bool) *node {
	switch tok {
	case "*":
		if l.pwc == nil && create {
			l.pwc = &node{}
		}
		return l.pwc
	case ">":
		if l.fwc == nil && create {
			l.fwc = &node{}
		}
		return l.fwc
	}
	n := l.nodes[tok]
	if n == nil && create {
		if l.nodes == nil {
			l.nodes = make(map[string]*node)
		}
		n = &node{}
		l.nodes[tok] = n
	}
	return n
}

func (l *level) empty() bool { return len(l.nodes) == 0 && l.pwc == nil && l.fwc == nil }

// add inserts x under its pattern, which must be valid, unless x was
// removed already. Only the calls of x's subscriber, one at a time, add and
// remove its subs (see cacheAdd).
func (ix *index) add(x *sub) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if x.removed {
		return
	}
	x.indexed = true
	l := &ix.root
	var n *node
	for rest, more := x.pattern, true; more; {
		var tok string
		tok, rest, more = nextToken(rest)
		n = l.child(tok, true)
		l = &n.next
	}
	if n.subs == nil {
		n.subs = make(map[*sub]struct{})
	}
	n.subs[x] = struct{}{}
	ix.cacheAdd(x)
}

// remove deletes x and prunes the nodes it leaves empty. An x not added yet
// never will be.
func (ix *index) remove(x *sub) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	x.removed = true
	if ix.removeAt(&ix.root, x.pattern, x) {
		ix.cacheRemove(x)
	}
}

func (ix *index) removeAt(l *level, pattern string, x *sub) bool {
	tok, rest, more := nextToken(pattern)
	n := l.child(tok, false)
	if n == nil {
		return false
	}
	var found bool
	if more {
		found = ix.removeAt(&n.next, rest, x)
	} else if _, found = n.subs[x]; found {
		delete(n.subs, x)
	}
	if found && len(n.subs) == 0 && n.next.empty() {
		switch tok {
		case "*":
			l.pwc = nil
		case ">":
			l.fwc = nil
		default:
			delete(l.nodes, tok)
		}
	}
	return found
}

// walk returns the subs whose patterns match subject, sorted by subscriber, so
// that the subs of one subscriber are adjacent. The caller holds mu.
func (ix *index) walk(subject string) []*sub {
	var res []*sub
	matchLevel(&ix.root, subject, &res)
	slices.SortFunc(res, bySubscriber)
	return res
}

// bySubscriber orders subs by their subscriber's id.
func bySubscriber(a, b *sub) int { return cmp.Compare(a.s.id, b.s.id) }

func matchLevel(l *level, subject string, res *[]*sub) {
	tok, rest, more := nextToken(subject)
	if l.fwc != nil {
		for x := range l.fwc.subs {
			*res = append(*res, x)
		}
	}
	for _, n := range [2]*node{l.pwc, l.nodes[tok]} {
		if n == nil {
			continue
		}
		if more {
			matchLevel(&n.next, rest, res)
			continue
		}
		for x := range n.subs {
			*res = append(*res, x)
		}
	}
}
