package fanout

import (
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

// framePool holds the buffers that join several messages into one frame.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, defaultMaxBatchBytes); return &b }}

// writeOne writes the next frame of s's outbox: what is pending up to the
// batch caps, joined (JSON by "\n", msgpack back to back). It holds no lock
// while it writes. It reports whether more is pending, in which case the
// caller must come back to it. batch is scratch space, returned for reuse.
func (s *Subscriber) writeOne(wr *writer, batch []item) ([]item, bool) {
	batch, ok := s.out.take(batch[:0])
	if !ok {
		return batch, false
	}
	written, err := s.writeFrame(wr, batch)
	m := s.hub.metrics
	m.frames.Inc()
	m.bytes.Add(float64(written))
	m.batch.Observe(float64(len(batch)))
	now := time.Now().UnixNano()
	for _, it := range batch {
		if it.live && err == nil {
			m.observeLatency(now - it.m.header.TS)
		}
	}
	// A failed write means the connection is broken; its read loop sees
	// that too. done closes the outbox.
	more := s.out.done(batch, err)
	return batch[:0], more
}

// stalled closes the connection as a slow consumer: one write to it has
// been blocked for the slow timeout.
func (s *Subscriber) stalled() {
	if s.out.giveUp() {
		s.slowConsumer()
	}
}

// writeFrame writes batch as one frame and returns its size.
func (s *Subscriber) writeFrame(wr *writer, batch []item) (int, error) {
	p := batch[0].frame
	var buf *[]byte
	if len(batch) > 1 {
		buf = framePool.Get().(*[]byte)
		b := (*buf)[:0]
		for i, it := range batch {
			if i > 0 && s.kind == codec.JSON {
				b = append(b, '\n')
			}
			b = append(b, it.frame...)
		}
		*buf = b
		p = b
	}
	wr.since.Store(time.Now().UnixNano())
	err := s.t.Write(p)
	wr.since.Store(0)
	if buf != nil {
		framePool.Put(buf)
	}
	return len(p), err
}
