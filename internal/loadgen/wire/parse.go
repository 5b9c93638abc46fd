package wire

import (
	"errors"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/protocol"
)

// Op is the kind of a server message.
type Op uint8

// The server messages of ticker.v1. OpNone means no message was left in the
// frame; OpOther is a well-formed message with an op the load generator does
// not know.
const (
	OpNone Op = iota
	OpMsg
	OpAck
	OpPong
	OpError
	OpOther
	// OpRevoked: a token refresh removed patterns (the load counts it).
	OpRevoked
)

// Message is what the load generator reads of one server message. Slices
// point into the frame and are valid until the frame's buffer is reused.
type Message struct {
	Op       Op
	Subject  int // index of the subject, -1 if it is none of the load's subjects
	Snapshot bool
	// Delta is true on a msg whose data holds only the changed fields (and
	// seq and ts, always): a delivery like any other.
	Delta  bool
	Seq    uint64 // data.seq of a msg; 0 if absent
	TS     int64  // data.ts of a msg (Unix nanoseconds); 0 if absent
	HasSeq bool   // data carried an integer seq and ts
	Code   []byte // code of an error
}

// errMalformed is the error for a message the parser cannot read.
var errMalformed = errors.New("loadgen: malformed server message")

// Parser reads server frames of the load's subjects: names under Prefix,
// numbered from 0 to Subjects-1 (see SubjectName).
type Parser struct {
	Prefix   string
	Subjects int
}

// Next parses the first message of frame, a ticker.v1 frame in encoding k
// (JSON: messages separated by '\n'; msgpack: maps concatenated), and returns
// it with the rest of the frame. It never allocates.
//
// A malformed JSON message returns an error and the rest after its line,
// so the caller can go on with the next one; a malformed msgpack message
// returns a nil rest, as nothing after it can be found. When frame holds no
// more messages, Next returns OpNone and a nil rest.
func (p *Parser) Next(k codec.Kind, frame []byte) (Message, []byte, error) {
	if k == codec.Msgpack {
		return p.nextMsgpack(frame)
	}
	return p.nextJSON(frame)
}

// opOf maps an op's name to its Op.
func opOf(b []byte) Op {
	switch string(b) {
	case protocol.OpMsg:
		return OpMsg
	case protocol.OpAck:
		return OpAck
	case protocol.OpPong:
		return OpPong
	case protocol.OpError:
		return OpError
	case protocol.OpRevoked:
		return OpRevoked
	}
	return OpOther
}

// finish checks what a message must carry: an op, and for a msg a subject.
func finish(m Message) (Message, error) {
	if m.Op == OpNone || (m.Op == OpMsg && m.Subject == -2) {
		return Message{Subject: -1}, errMalformed
	}
	if m.Subject == -2 {
		m.Subject = -1
	}
	return m, nil
}
