package wire

import (
	"bytes"

	"github.com/ticker-dev/ticker/internal/protocol"
)

// nextJSON parses the first non-blank line of frame as a JSON server message.
func (p *Parser) nextJSON(frame []byte) (Message, []byte, error) {
	for len(frame) > 0 {
		line, rest := frame, []byte(nil)
		if i := bytes.IndexByte(frame, '\n'); i >= 0 {
			line, rest = frame[:i], frame[i+1:]
		}
		s := jscan{b: line}
		s.space()
		if s.i == len(line) {
			frame = rest
			continue
		}
		m, err := p.jsonObject(&s)
		if err == nil {
			m, err = finish(m)
		}
		if err != nil {
			return Message{Subject: -1}, rest, err
		}
		return m, rest, nil
	}
	return Message{Subject: -1}, nil, nil
}

// jsonObject reads one envelope object and nothing after it but spaces.
func (p *Parser) jsonObject(s *jscan) (Message, error) {
	m := Message{Subject: -2} // -2: no subject key seen
	err := s.object(func(key []byte) error {
		switch string(key) {
		case protocol.KeyOp:
			v, err := s.plainString()
			m.Op = opOf(v)
			return err
		case protocol.KeySubject:
			v, err := s.plainString()
			m.Subject = subjectIndex(p.Prefix, p.Subjects, v)
			return err
		case protocol.KeySnapshot:
			var err error
			m.Snapshot, err = s.boolean()
			return err
		case protocol.KeyDelta:
			var err error
			m.Delta, err = s.boolean()
			return err
		case protocol.KeyCode:
			var err error
			m.Code, err = s.plainString()
			return err
		case protocol.KeyData:
			return p.jsonData(s, &m)
		}
		return s.skip()
	})
	if err != nil {
		return m, err
	}
	s.space()
	if s.i != len(s.b) {
		return m, errMalformed
	}
	return m, nil
}

// jsonData reads a msg's data object for its seq and ts.
func (p *Parser) jsonData(s *jscan, m *Message) error {
	var seen uint8
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "seq":
			v, err := s.digits(20)
			m.Seq = v
			seen |= 1
			return err
		case "ts":
			neg := s.i < len(s.b) && s.b[s.i] == '-'
			if neg {
				s.i++
			}
			v, err := s.digits(19)
			m.TS = int64(v)
			if neg {
				m.TS = -m.TS
			}
			seen |= 2
			return err
		}
		return s.skip()
	})
	m.HasSeq = seen == 3
	return err
}
