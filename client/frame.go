package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// Message is one server message, as Conn.Next returns it: the envelope's
// keys decoded, the data as it came.
type Message struct {
	Op       string // "ack", "error", "pong", "msg" or "revoked"
	ID       any    // the id echoed by ack, pong and error; nil when absent
	Code     string // error: one of the Code constants
	Msg      string // error: human-readable text
	Subject  string // msg: the concrete subject
	Snapshot bool   // msg: a replayed last value
	// Delta is true on a msg whose data holds only the fields changed since
	// the subject's update seq-1 (and seq and ts); see Options.OnUpdate.
	Delta bool
	// Subjects are the patterns a revoked message removed.
	Subjects []string
	// Data is a msg's data in the connection's encoding: a JSON object or a
	// msgpack map, as the server sent it.
	Data []byte
	// Raw is the whole message as it came off the wire.
	Raw   []byte
	Codec Codec
}

// Header is what every update carries: its sequence number and publish time.
type Header struct {
	Seq uint64 // +1 per subject at the publisher
	TS  int64  // publish time, Unix nanoseconds
}

// Decode reads Data into v (a *Quote, a *Score, a map or a struct of your own
// with json and msgpack tags).
func (m Message) Decode(v any) error {
	if len(m.Data) == 0 {
		return errors.New("message has no data")
	}
	return decodeData(m.Codec, m.Data, v)
}

// Header returns the seq and ts of a msg's data.
func (m Message) Header() (Header, error) {
	var h Header
	err := m.Decode(&headerData{&h})
	return h, err
}

// headerData decodes only seq and ts.
type headerData struct{ h *Header }

func (d *headerData) UnmarshalJSON(b []byte) error {
	var v struct {
		Seq uint64 `json:"seq"`
		TS  int64  `json:"ts"`
	}
	err := json.Unmarshal(b, &v)
	d.h.Seq, d.h.TS = v.Seq, v.TS
	return err
}

func (d *headerData) DecodeMsgpack(dec *msgpack.Decoder) error {
	var v struct {
		Seq uint64 `msgpack:"seq"`
		TS  int64  `msgpack:"ts"`
	}
	err := dec.Decode(&v)
	d.h.Seq, d.h.TS = v.Seq, v.TS
	return err
}

func decodeData(c Codec, data []byte, v any) error {
	if c == Msgpack {
		return msgpack.Unmarshal(data, v)
	}
	return json.Unmarshal(data, v)
}

// splitFrame cuts a frame into its messages: lines for JSON (empty ones
// skipped), values for msgpack.
func splitFrame(c Codec, frame []byte) ([][]byte, error) {
	var out [][]byte
	if c == JSON {
		for line := range bytes.SplitSeq(frame, []byte{'\n'}) {
			if len(bytes.TrimSpace(line)) > 0 {
				out = append(out, line)
			}
		}
		return out, nil
	}
	for len(frame) > 0 {
		r := codec.NewReader(frame)
		if err := r.Skip(); err != nil {
			return out, fmt.Errorf("split msgpack frame: %w", err)
		}
		n := len(frame) - r.Len()
		out = append(out, frame[:n])
		frame = frame[n:]
	}
	return out, nil
}

// The envelope of a server message in each encoding.
type (
	jsonEnvelope struct {
		Op       string          `json:"op"`
		ID       any             `json:"id"`
		Code     string          `json:"code"`
		Msg      string          `json:"msg"`
		Subject  string          `json:"subject"`
		Snapshot bool            `json:"snapshot"`
		Delta    bool            `json:"delta"`
		Subjects []string        `json:"subjects"`
		Data     json.RawMessage `json:"data"`
	}
	msgpackEnvelope struct {
		Op       string             `msgpack:"op"`
		ID       any                `msgpack:"id"`
		Code     string             `msgpack:"code"`
		Msg      string             `msgpack:"msg"`
		Subject  string             `msgpack:"subject"`
		Snapshot bool               `msgpack:"snapshot"`
		Delta    bool               `msgpack:"delta"`
		Subjects []string           `msgpack:"subjects"`
		Data     msgpack.RawMessage `msgpack:"data"`
	}
)

// decodeMessage decodes one message of a frame.
func decodeMessage(c Codec, p []byte) (Message, error) {
	if c == Msgpack {
		var e msgpackEnvelope
		if err := msgpack.Unmarshal(p, &e); err != nil {
			return Message{}, fmt.Errorf("decode msgpack message: %w", err)
		}
		return Message{Op: e.Op, ID: e.ID, Code: e.Code, Msg: e.Msg, Subject: e.Subject,
			Snapshot: e.Snapshot, Delta: e.Delta, Subjects: e.Subjects, Data: e.Data, Raw: p, Codec: c}, nil
	}
	var e jsonEnvelope
	if err := json.Unmarshal(p, &e); err != nil {
		return Message{}, fmt.Errorf("decode %.100q: %w", p, err)
	}
	return Message{Op: e.Op, ID: e.ID, Code: e.Code, Msg: e.Msg, Subject: e.Subject,
		Snapshot: e.Snapshot, Delta: e.Delta, Subjects: e.Subjects, Data: e.Data, Raw: p, Codec: c}, nil
}

// encodeOp encodes a client op (a map or struct with the ticker.v1 keys).
func encodeOp(c Codec, op any) ([]byte, error) {
	if c == Msgpack {
		return msgpack.Marshal(op)
	}
	return json.Marshal(op)
}
