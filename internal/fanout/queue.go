package fanout

import (
	"sync"

	"github.com/ticker-dev/ticker/internal/codec"
)

// maxFrameBytes caps how much pending data the writer joins into one frame.
const maxFrameBytes = 64 << 10

// queue is a connection's outgoing messages, bounded in bytes. Frames in it
// are shared and immutable. While it is not empty one writer goroutine drains
// it; an idle connection has no writer goroutine and no write buffer.
type queue struct {
	s *Subscriber

	mu      sync.Mutex // also guards the Subscriber's patterns
	pending [][]byte
	spare   [][]byte // the writer's last batch, kept for reuse
	bytes   int      // queued and being written
	writing bool     // a writer goroutine is running
	closed  bool     // no more pushes: the connection is closing
}

// push queues a live update for the subscriber holding subs, unless none of
// them is active any more. It reports whether the update was queued.
func (q *queue) push(frame []byte, subs []*sub) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, x := range subs {
		if x.active {
			return q.pushLocked(frame)
		}
	}
	return false
}

// pushLocked queues frame, starting a writer if none runs. A queue that would
// exceed its bound closes the connection as a slow consumer.
func (q *queue) pushLocked(frame []byte) bool {
	if q.closed {
		return false
	}
	if q.bytes+len(frame) > q.s.hub.opts.MaxQueueBytes {
		q.s.hub.metrics.slowConsumers.Inc()
		q.closeLocked(StatusPolicyViolation, "slow consumer")
		return false
	}
	q.pending = append(q.pending, frame)
	q.bytes += len(frame)
	if !q.writing {
		q.writing = true
		go q.write()
	}
	return true
}

// closeLocked stops the queue and asks the transport to close.
func (q *queue) closeLocked(code int, reason string) {
	if q.closed {
		return
	}
	q.closed = true
	q.dropLocked()
	q.s.t.Close(code, reason)
}

func (q *queue) dropLocked() {
	clear(q.pending)
	q.pending = q.pending[:0]
}

var framePool = sync.Pool{New: func() any { b := make([]byte, 0, maxFrameBytes); return &b }}

// write drains the queue: it takes everything pending at once and writes it
// as few frames as the frame cap allows, until the queue is empty.
func (q *queue) write() {
	var buf *[]byte
	defer func() {
		if buf != nil {
			framePool.Put(buf)
		}
	}()
	sep := q.s.kind == codec.JSON
	m := q.s.hub.metrics
	for {
		q.mu.Lock()
		if q.closed || len(q.pending) == 0 {
			q.writing = false
			q.mu.Unlock()
			return
		}
		batch := q.pending
		q.pending, q.spare = q.spare[:0], nil
		q.mu.Unlock()

		var err error
		written, frames := 0, 0
		for i := 0; i < len(batch) && err == nil; {
			p := batch[i]
			i++
			if i < len(batch) && len(p)+1+len(batch[i]) <= maxFrameBytes {
				// Join this and as many following messages as fit.
				if buf == nil {
					buf = framePool.Get().(*[]byte)
				}
				b := append((*buf)[:0], p...)
				for ; i < len(batch) && len(b)+1+len(batch[i]) <= maxFrameBytes; i++ {
					if sep {
						b = append(b, '\n')
					}
					b = append(b, batch[i]...)
				}
				*buf = b
				p = b
			}
			err = q.s.t.Write(p)
			written += len(p)
			frames++
		}
		m.frames.Add(float64(frames))
		m.bytes.Add(float64(written))

		n := 0
		for _, p := range batch {
			n += len(p)
		}
		clear(batch)
		q.mu.Lock()
		q.bytes -= n
		q.spare = batch[:0]
		if err != nil {
			// The connection is broken; its read loop sees that too.
			q.closed = true
			q.dropLocked()
		}
		q.mu.Unlock()
	}
}
