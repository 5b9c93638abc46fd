package fanout

import (
	"sync"

	"github.com/ticker-dev/ticker/internal/codec"
)

// framePool holds the buffers that join several messages into one frame.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, defaultMaxBatchBytes); return &b }}

// A Subscriber is what the writer pool drains.
var _ drainer = (*Subscriber)(nil)

// writeOne writes the next frame of s's outbox: what is pending up to the
// batch caps, joined (JSON by "\n", msgpack back to back), in one
// Transport.Write. It holds no lock while it writes. It reports whether more
// is pending.
func (s *Subscriber) writeOne(wr *writer) bool {
	s.mu.Lock()
	batch, ok := s.out.take(wr.batch[:0])
	s.mu.Unlock()
	wr.batch = batch
	if !ok {
		return false
	}
	p, buf := s.join(batch)
	wr.begin()
	err := s.t.Write(p)
	wr.end()
	written := len(p)
	if buf != nil {
		framePool.Put(buf)
	}
	m := s.hub.metrics
	m.frames.Inc()
	m.bytes.Add(float64(written))
	m.batch.Observe(float64(len(batch)))
	if err == nil {
		wr.sampleLatency(m, s.hub.clock, batch)
	}
	// A failed write means the connection is broken; its read loop sees
	// that too. done closes the outbox.
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.done(batch, err)
}

// join returns batch as one frame: the one item's frame, or all of them
// joined in a buffer from framePool, which the caller puts back after the
// write.
func (s *Subscriber) join(batch []item) ([]byte, *[]byte) {
	if len(batch) == 1 {
		return batch[0].frame, nil
	}
	buf := framePool.Get().(*[]byte)
	b := (*buf)[:0]
	for i, it := range batch {
		if i > 0 && s.kind == codec.JSON {
			b = append(b, '\n')
		}
		b = append(b, it.frame...)
	}
	*buf = b
	return b, buf
}

// stalled closes the connection as a slow consumer: one write to it has
// been blocked for the slow timeout.
func (s *Subscriber) stalled() {
	s.mu.Lock()
	gaveUp := s.out.giveUp()
	s.mu.Unlock()
	if gaveUp {
		s.slowConsumer()
	}
}
