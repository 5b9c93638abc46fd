package wire

import (
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/protocol"
)

// nextMsgpack parses the first map of frame as a msgpack server message.
func (p *Parser) nextMsgpack(frame []byte) (Message, []byte, error) {
	if len(frame) == 0 {
		return Message{Subject: -1}, nil, nil
	}
	r := codec.NewReader(frame)
	m, err := p.msgpackMap(&r)
	if err == nil {
		m, err = finish(m)
	}
	if err != nil {
		return Message{Subject: -1}, nil, err
	}
	rest := frame[len(frame)-r.Len():]
	if len(rest) == 0 {
		rest = nil
	}
	return m, rest, nil
}

// msgpackMap reads one envelope map.
func (p *Parser) msgpackMap(r *codec.Reader) (Message, error) {
	m := Message{Subject: -2} // -2: no subject key seen
	n, err := r.MapLen()
	if err != nil {
		return m, errMalformed
	}
	for range n {
		key, err := r.Str()
		if err != nil {
			return m, errMalformed
		}
		switch string(key) {
		case protocol.KeyOp:
			var v []byte
			v, err = r.Str()
			m.Op = opOf(v)
		case protocol.KeySubject:
			var v []byte
			v, err = r.Str()
			m.Subject = subjectIndex(p.Prefix, p.Subjects, v)
		case protocol.KeySnapshot:
			m.Snapshot, err = r.Bool()
		case protocol.KeyDelta:
			m.Delta, err = r.Bool()
		case protocol.KeyCode:
			m.Code, err = r.Str()
		case protocol.KeyData:
			err = msgpackData(r, &m)
		default:
			err = r.Skip()
		}
		if err != nil {
			return m, errMalformed
		}
	}
	return m, nil
}

// msgpackData reads a msg's data map for its seq and ts.
func msgpackData(r *codec.Reader, m *Message) error {
	n, err := r.MapLen()
	if err != nil {
		return err
	}
	var seen uint8
	for range n {
		key, err := r.Str()
		if err != nil {
			return err
		}
		switch string(key) {
		case "seq":
			m.Seq, err = r.Uint()
			seen |= 1
		case "ts":
			m.TS, err = r.Int()
			seen |= 2
		default:
			err = r.Skip()
		}
		if err != nil {
			return err
		}
	}
	m.HasSeq = seen == 3
	return nil
}
