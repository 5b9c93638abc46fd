package fleet

import (
	"sync"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// latencies is the process's latency histogram, in shards so that
// connections rarely wait on each other. A histogram takes about 140 KB,
// too much for one per connection: each connection buffers its values
// (latBuf) and adds them to its shard in batches, so a lock is taken once per
// batch, not once per message.
type latencies struct {
	shards []latShard
}

type latShard struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
	// in are the latencies of some windows apart (see window): in[w] for
	// w below otherWindows.
	in [otherWindows]*hdrhistogram.Histogram
	_  [24]byte // keeps shards' locks off each other's cache lines
}

// window is the part of the run a latency was measured in, as far as
// moves go: before the first close of a subscribed connection, or while a
// moved connection is not back on a connection that never moved.
type window uint8

const (
	beforeMoves window = iota
	whileMoving
	otherWindows // any other time, or a connection that moved
)

func newLatencies(shards int) *latencies {
	l := &latencies{shards: make([]latShard, max(shards, 1))}
	for i := range l.shards {
		s := &l.shards[i]
		s.h = report.NewHistogram()
		for w := range s.in {
			s.in[w] = report.NewHistogram()
		}
	}
	return l
}

// merged returns a copy of all shards added up.
func (l *latencies) merged() *hdrhistogram.Histogram {
	return l.sum(func(s *latShard) *hdrhistogram.Histogram { return s.h })
}

// window returns a copy of window w of all shards added up.
func (l *latencies) window(w window) *hdrhistogram.Histogram {
	return l.sum(func(s *latShard) *hdrhistogram.Histogram { return s.in[w] })
}

func (l *latencies) sum(of func(*latShard) *hdrhistogram.Histogram) *hdrhistogram.Histogram {
	h := report.NewHistogram()
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		h.Merge(of(s))
		s.mu.Unlock()
	}
	return h
}

// latBuf is one connection's batch of latencies not yet in its shard. It
// flushes when full, or on the first value that comes latFlushAfter after the
// last flush, so that progress reports lag little even at low rates.
type latBuf struct {
	shard     *latShard
	n         int
	lastFlush int64 // Unix nanoseconds
	vals      [64]int64
	wins      [64]window
}

const latFlushAfter = int64(200e6) // 200 ms in nanoseconds

// record adds one latency in nanoseconds, measured at now in window w.
func (b *latBuf) record(ns, now int64, w window) {
	us := ns / 1000
	b.vals[b.n] = min(max(us, report.MinLatency), report.MaxLatency)
	b.wins[b.n] = w
	b.n++
	if b.n == len(b.vals) || now-b.lastFlush > latFlushAfter {
		b.flush(now)
	}
}

// flush adds the batch to the shard.
func (b *latBuf) flush(now int64) {
	b.lastFlush = now
	if b.n == 0 {
		return
	}
	b.shard.mu.Lock()
	for i, v := range b.vals[:b.n] {
		_ = b.shard.h.RecordValue(v) // in range by construction
		if w := b.wins[i]; w < otherWindows {
			_ = b.shard.in[w].RecordValue(v)
		}
	}
	b.shard.mu.Unlock()
	b.n = 0
}
