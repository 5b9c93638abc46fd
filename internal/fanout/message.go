package fanout

import (
	"sync"
	"sync/atomic"

	"github.com/ticker-dev/ticker/internal/codec"
)

// message is one feed update, read once and encoded at most once per codec
// and variant. Its frames are immutable once built and shared by every
// subscriber that receives them.
//
// Messages are reference counted and their buffers reused: the hub holds one
// reference while it broadcasts, the subject's last value one, and every
// queued frame one. The last release returns the message to a pool, so a
// steady feed allocates no new buffers.
type message struct {
	subject string
	header  codec.Header
	order   uint64 // its place among the updates the hub kept (see Hub.keep)

	refs atomic.Int32
	raw  []byte // the feed's msgpack map, as published
	json []byte // the same map as JSON, transcoded once

	live  [codec.NumKinds][]byte // built by the hub goroutine only
	built [codec.NumKinds]bool
	snap  [codec.NumKinds]atomic.Pointer[[]byte] // built on first snapshot, by any subscriber

	// The delta of this update against its subject's previous one (seq-1),
	// for the subscribers that asked for deltas: built by the hub goroutine
	// on first need while it broadcasts, when prev is set.
	prev       *message // the previous update, referenced while broadcasting; nil if not seq-1
	deltaTried bool
	deltaRaw   []byte // the msgpack delta map; nil if the update cannot go as a delta
	deltaJSON  []byte
	deltas     [codec.NumKinds][]byte
}

var messagePool = sync.Pool{New: func() any { return new(message) }}

// maxPooledPayload is the largest payload whose buffers a recycled message
// keeps.
const maxPooledPayload = 16 << 10

// newMessage validates a feed payload and transcodes it to JSON once. It
// copies payload into the message's own buffer, so the caller may reuse it.
// The caller holds the one reference.
func newMessage(subject string, payload []byte) (*message, error) {
	m := messagePool.Get().(*message)
	js, h, err := codec.Transcode(m.json[:0], payload)
	m.json = js
	if err != nil {
		m.json = m.json[:0]
		messagePool.Put(m)
		return nil, err
	}
	m.subject, m.header = subject, h
	m.raw = append(m.raw[:0], payload...)
	m.refs.Store(1)
	return m, nil
}

// retain takes one more reference.
func (m *message) retain() { m.refs.Add(1) }

// release drops one reference; the last one recycles m.
func (m *message) release() {
	switch n := m.refs.Add(-1); {
	case n > 0:
		return
	case n < 0:
		panic("fanout: message released more often than retained")
	}
	m.subject, m.header, m.order = "", codec.Header{}, 0
	m.raw, m.json = m.raw[:0], m.json[:0]
	if cap(m.raw) > maxPooledPayload {
		m.raw, m.json = nil, nil // a rare large update's buffers are not kept
	}
	if m.prev != nil {
		m.prev.release()
		m.prev = nil
	}
	m.deltaTried = false
	m.deltaRaw, m.deltaJSON = m.deltaRaw[:0], m.deltaJSON[:0]
	for k := range m.live {
		m.deltas[k] = m.deltas[k][:0]
		m.live[k] = m.live[k][:0]
		m.built[k] = false
		m.snap[k].Store(nil)
	}
	messagePool.Put(m)
}

// data returns the update itself in encoding k.
func (m *message) data(k codec.Kind) []byte {
	if k == codec.Msgpack {
		return m.raw
	}
	return m.json
}

// liveFrame returns the "msg" envelope in encoding k. Only the hub goroutine
// calls it, before the frame is queued anywhere.
func (m *message) liveFrame(k codec.Kind) []byte {
	if !m.built[k] {
		m.live[k] = codec.AppendMsg(k, m.live[k][:0], m.subject, m.data(k), false)
		m.built[k] = true
	}
	return m.live[k]
}

// snapshotFrame returns the envelope with "snapshot":true in encoding k.
// Subscribers may race to build it; the first one stored wins.
func (m *message) snapshotFrame(k codec.Kind) []byte {
	if p := m.snap[k].Load(); p != nil {
		return *p
	}
	f := codec.AppendMsg(k, nil, m.subject, m.data(k), true)
	if m.snap[k].CompareAndSwap(nil, &f) {
		return f
	}
	return *m.snap[k].Load()
}

// deltaFrame returns the "msg" envelope marked as a delta in encoding k: only
// the fields that changed since the subject's previous update, or nil when
// the update cannot go as a delta (no previous update with seq-1 while it is
// broadcast, or a field was removed). Only the hub goroutine calls it, while
// it broadcasts m; the delta is computed once per message and the frame
// once per encoding.
func (m *message) deltaFrame(k codec.Kind) []byte {
	if !m.deltaTried {
		m.deltaTried = true
		if m.prev != nil {
			if d, ok := codec.AppendDelta(m.deltaRaw[:0], m.prev.raw, m.raw); ok {
				if js, _, err := codec.Transcode(m.deltaJSON[:0], d); err == nil {
					m.deltaRaw, m.deltaJSON = d, js
				}
			}
		}
	}
	if len(m.deltaJSON) == 0 {
		return nil
	}
	if len(m.deltas[k]) == 0 {
		data := m.deltaRaw
		if k == codec.JSON {
			data = m.deltaJSON
		}
		m.deltas[k] = codec.AppendDeltaMsg(k, m.deltas[k][:0], m.subject, data)
	}
	return m.deltas[k]
}

// dropPrev lets go of the previous update once m is broadcast.
func (m *message) dropPrev() {
	if m.prev != nil {
		m.prev.release()
		m.prev = nil
	}
}
