package subscribe

import (
	"errors"
	"fmt"

	"github.com/ticker-dev/ticker/internal/codec"
)

// parseMsgpack reads one op from a msgpack binary frame: one map and nothing
// after it. Declared lengths are checked against the input and the limits
// before anything is allocated for them. See Parse.
func (p Parser) parseMsgpack(frame []byte) (Op, *Error) {
	o, err := readMsgpackObject(frame)
	if err != nil {
		return Op{}, errorf(CodeBadRequest, codec.ID{}, "%v", err)
	}
	return p.build(&o, msgpackValues{})
}

// readMsgpackObject walks the top-level map, keeping each known key's value
// as a sub-slice of frame.
func readMsgpackObject(frame []byte) (object, error) {
	o := newObject()
	r := codec.NewReader(frame)
	if t := r.Peek(); t != codec.TypeMap {
		if t == codec.TypeInvalid && r.Len() == 0 {
			return o, errors.New("empty frame")
		}
		return o, fmt.Errorf("top level is a msgpack %s, not a map", t)
	}
	n, err := r.MapLen()
	if err != nil {
		return o, msgpackSyntax(err)
	}
	if n > maxKeys {
		return o, fmt.Errorf("map declares %d keys, more than %d", n, maxKeys)
	}
	offset := func() int { return len(frame) - r.Len() }
	for i := range n {
		var key []byte
		t := r.Peek()
		if t == codec.TypeStr {
			key, err = r.Str()
		} else {
			o.problem("map key %d is a msgpack %s, not a string", i, t)
			err = r.Skip()
		}
		if err != nil {
			return o, msgpackSyntax(err)
		}
		start := offset()
		if err := r.Skip(); err != nil {
			return o, msgpackSyntax(err)
		}
		if t == codec.TypeStr {
			o.set(string(key), frame[start:offset()])
		}
	}
	if r.Len() > 0 {
		o.problem("%d bytes of trailing data after the msgpack map", r.Len())
	}
	return o, nil
}

func msgpackSyntax(err error) error {
	if errors.Is(err, codec.ErrShort) {
		return errors.New("invalid msgpack: truncated, or a length beyond the frame")
	}
	return fmt.Errorf("invalid msgpack: %v", err)
}

// msgpackValues reads raw msgpack values; each is one complete value.
type msgpackValues struct{}

func (msgpackValues) id(raw []byte) (codec.ID, error) {
	r := codec.NewReader(raw)
	switch t := r.Peek(); t {
	case codec.TypeNil:
		return codec.ID{}, nil
	case codec.TypeInt:
		n, err := r.Int()
		if err != nil {
			return codec.ID{}, errors.New(`"id" overflows a 64-bit integer`)
		}
		return codec.IntID(n), nil
	case codec.TypeStr:
		b, err := r.Str()
		if err != nil {
			return codec.ID{}, msgpackSyntax(err)
		}
		if len(b) > codec.MaxIDLen {
			return codec.ID{}, fmt.Errorf(`"id" longer than %d bytes`, codec.MaxIDLen)
		}
		return stringID(string(b))
	default:
		return codec.ID{}, fmt.Errorf(`"id" must be an integer or a string, not a msgpack %s`, t)
	}
}

func (msgpackValues) op(raw []byte) (string, error) {
	r := codec.NewReader(raw)
	if t := r.Peek(); t != codec.TypeStr {
		return "", fmt.Errorf(`"op" must be a string, not a msgpack %s`, t)
	}
	b, err := r.Str()
	if err != nil {
		return "", msgpackSyntax(err)
	}
	return string(b), nil
}

func (msgpackValues) subjects(raw []byte, limit int) ([]string, error) {
	r := codec.NewReader(raw)
	if t := r.Peek(); t != codec.TypeArray {
		return nil, fmt.Errorf(`"subjects" must be an array of strings, not a msgpack %s`, t)
	}
	n, err := r.ArrayLen()
	if err != nil {
		return nil, msgpackSyntax(err)
	}
	if n > limit {
		return nil, fmt.Errorf(`"subjects" declares %d entries, more than %d`, n, limit)
	}
	out := make([]string, 0, n)
	for i := range n {
		if t := r.Peek(); t != codec.TypeStr {
			return nil, fmt.Errorf(`"subjects"[%d] must be a string, not a msgpack %s`, i, t)
		}
		b, err := r.Str()
		if err != nil {
			return nil, msgpackSyntax(err)
		}
		out = append(out, string(b))
	}
	return out, nil
}

// number reads a msgpack int, uint or float. An integer beyond int64 is
// still a number: it is read as its float value.
func (msgpackValues) number(raw []byte) (float64, bool) {
	r := codec.NewReader(raw)
	switch r.Peek() {
	case codec.TypeInt:
		if raw[0] == 0xcf { // uint 64
			u, err := r.Uint()
			return float64(u), err == nil
		}
		n, err := r.Int()
		return float64(n), err == nil
	case codec.TypeFloat:
		f, err := r.Float()
		return f, err == nil
	}
	return 0, false
}

func (msgpackValues) boolean(raw []byte) (bool, bool) {
	r := codec.NewReader(raw)
	b, err := r.Bool()
	return b, err == nil
}

func (msgpackValues) str(raw []byte) (string, bool) {
	r := codec.NewReader(raw)
	if r.Peek() != codec.TypeStr {
		return "", false
	}
	b, err := r.Str()
	return string(b), err == nil
}
