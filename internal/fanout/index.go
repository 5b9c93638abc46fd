package fanout

import (
	"slices"
	"strings"
	"sync"
)

// sub is one pattern held by one subscriber. active is guarded by the
// subscriber's mutex: the hub checks it under that mutex before queueing, so
// nothing of an unsubscribed pattern is queued after its ack.
type sub struct {
	s       *Subscriber
	pattern string
	active  bool
}

// index maps concrete subjects to the subs whose patterns match them: a trie
// over tokens with "*" and ">" children, as nats-server's sublist, and a cache
// of match results keyed by concrete subject. A result is never modified after
// it is cached, so callers may use it without holding the lock.
type index struct {
	mu    sync.RWMutex
	root  level
	cache map[string][]*sub
	count int // subs in the trie
}

type level struct {
	nodes    map[string]*node
	pwc, fwc *node // "*" and ">"
}

type node struct {
	next level
	subs map[*sub]struct{}
}

// maxCache bounds the match cache; past it, the cache starts over.
const maxCache = 1 << 16

func newIndex() *index { return &index{cache: make(map[string][]*sub)} }

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

// add inserts x under its pattern, which must be valid.
func (ix *index) add(x *sub) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
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
	ix.count++
	clear(ix.cache)
}

// remove deletes x and prunes the nodes it leaves empty.
func (ix *index) remove(x *sub) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.removeAt(&ix.root, x.pattern, x) {
		ix.count--
		clear(ix.cache)
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

// match returns the subs whose patterns match subject, grouped so that the
// subs of one subscriber are adjacent. The result is shared: do not modify it.
func (ix *index) match(subject string) []*sub {
	ix.mu.RLock()
	res, ok := ix.cache[subject]
	ix.mu.RUnlock()
	if ok {
		return res
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if res, ok = ix.cache[subject]; ok {
		return res
	}
	matchLevel(&ix.root, subject, &res)
	slices.SortFunc(res, func(a, b *sub) int {
		switch {
		case a.s.id < b.s.id:
			return -1
		case a.s.id > b.s.id:
			return 1
		}
		return 0
	})
	if len(ix.cache) >= maxCache {
		clear(ix.cache)
	}
	ix.cache[subject] = res
	return res
}

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
