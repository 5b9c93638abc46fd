package fanout

import (
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

// framePool holds the buffers that join several messages into one frame.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, defaultMaxBatchBytes); return &b }}

// writeOne writes the next frame of s's queue: everything pending up to the
// batch caps, joined (JSON by "\n", msgpack back to back). It holds no lock
// while it writes. It reports whether more is pending, in which case the
// queue stays scheduled and the caller must come back to it. batch is scratch
// space, returned for reuse.
func (s *Subscriber) writeOne(wr *writer, batch []item) ([]item, bool) {
	s.mu.Lock()
	if s.closed || s.head == len(s.pending) {
		s.writing = false
		s.recycle()
		s.mu.Unlock()
		return batch, false
	}
	batch = s.take(batch[:0])
	s.mu.Unlock()

	size := 0
	for _, it := range batch {
		size += len(it.frame)
	}
	written, err := s.writeFrame(wr, batch)
	m := s.hub.metrics
	m.frames.Inc()
	m.bytes.Add(float64(written))
	m.batch.Observe(float64(len(batch)))
	now := time.Now().UnixNano()
	for i, it := range batch {
		if it.live && err == nil {
			m.observeLatency(now - it.m.header.TS)
		}
		if it.m != nil {
			it.m.release()
		}
		batch[i] = item{}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.bytes -= size
	if s.bytes <= s.hub.opts.MaxQueueBytes {
		s.settled()
	}
	if err != nil {
		// The connection is broken; its read loop sees that too.
		s.closed = true
		s.dropLocked()
	}
	if s.closed || s.head == len(s.pending) {
		s.writing = false
		s.recycle()
		return batch, false
	}
	return batch, true
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
