package fanout

import (
	"sync/atomic"

	"github.com/ticker-dev/ticker/internal/codec"
)

// Message is one feed update, read once and encoded at most once per codec
// and variant. Its frames are immutable once built and shared by every
// subscriber that receives them.
type Message struct {
	Subject string
	Header  codec.Header

	raw  []byte // the feed's msgpack map, as published
	json []byte // the same map as JSON, transcoded once

	live [codec.NumKinds][]byte                 // built by the hub goroutine only
	snap [codec.NumKinds]atomic.Pointer[[]byte] // built on first snapshot, by any subscriber
}

// NewMessage validates a feed payload and transcodes it to JSON once. It keeps
// payload without copying it.
func NewMessage(subject string, payload []byte) (*Message, error) {
	js, h, err := codec.Transcode(make([]byte, 0, len(payload)+len(payload)/2+16), payload)
	if err != nil {
		return nil, err
	}
	return &Message{Subject: subject, Header: h, raw: payload, json: js}, nil
}

// data returns the update itself in encoding k.
func (m *Message) data(k codec.Kind) []byte {
	if k == codec.Msgpack {
		return m.raw
	}
	return m.json
}

// liveFrame returns the "msg" envelope in encoding k. Only the hub goroutine
// calls it, before the frame is queued anywhere.
func (m *Message) liveFrame(k codec.Kind) []byte {
	if m.live[k] == nil {
		m.live[k] = codec.AppendMsg(k, nil, m.Subject, m.data(k), false)
	}
	return m.live[k]
}

// snapshotFrame returns the envelope with "snapshot":true in encoding k.
// Subscribers may race to build it; the first one stored wins.
func (m *Message) snapshotFrame(k codec.Kind) []byte {
	if p := m.snap[k].Load(); p != nil {
		return *p
	}
	f := codec.AppendMsg(k, nil, m.Subject, m.data(k), true)
	if m.snap[k].CompareAndSwap(nil, &f) {
		return f
	}
	return *m.snap[k].Load()
}
