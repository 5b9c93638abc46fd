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
	_  [40]byte // keeps shards' locks off each other's cache lines
}

func newLatencies(shards int) *latencies {
	l := &latencies{shards: make([]latShard, max(shards, 1))}
	for i := range l.shards {
		l.shards[i].h = report.NewHistogram()
	}
	return l
}

// merged returns a copy of all shards added up.
func (l *latencies) merged() *hdrhistogram.Histogram {
	h := report.NewHistogram()
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		h.Merge(s.h)
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
}

const latFlushAfter = int64(200e6) // 200 ms in nanoseconds

// record adds one latency in nanoseconds, measured at now.
func (b *latBuf) record(ns, now int64) {
	us := ns / 1000
	b.vals[b.n] = min(max(us, report.MinLatency), report.MaxLatency)
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
	for _, v := range b.vals[:b.n] {
		_ = b.shard.h.RecordValue(v) // in range by construction
	}
	b.shard.mu.Unlock()
	b.n = 0
}
