package subscribe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/ticker-dev/ticker/internal/codec"
)

// parseJSON reads one op from a JSON text frame: one object, optionally
// followed by whitespace. See Parse.
func (p Parser) parseJSON(frame []byte) (Op, *Error) {
	if !utf8.Valid(frame) {
		return Op{}, errorf(CodeBadRequest, codec.ID{}, "frame is not valid UTF-8")
	}
	o, err := readJSONObject(frame)
	if err != nil {
		return Op{}, errorf(CodeBadRequest, codec.ID{}, "%v", err)
	}
	return p.build(&o, jsonValues{})
}

// readJSONObject walks the top-level object token by token, so that it sees
// every key exactly as sent, including duplicates.
func readJSONObject(frame []byte) (object, error) {
	o := newObject()
	dec := json.NewDecoder(bytes.NewReader(frame))
	tok, err := dec.Token()
	if err != nil {
		return o, jsonSyntax(err)
	}
	if tok != json.Delim('{') {
		return o, errors.New("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return o, jsonSyntax(err)
		}
		key, ok := tok.(string)
		if !ok { // the decoder only yields strings in key position
			return o, errors.New("invalid JSON: object key is not a string")
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return o, jsonSyntax(err)
		}
		o.set(key, val)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return o, jsonSyntax(err)
	}
	if len(bytes.TrimLeft(frame[dec.InputOffset():], " \t\r\n")) > 0 {
		o.problem("trailing data after the JSON object")
	}
	return o, nil
}

func jsonSyntax(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of frame")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// jsonValues reads raw JSON values; each is complete and syntactically valid.
type jsonValues struct{}

func (jsonValues) id(raw []byte) (codec.ID, error) {
	switch c := raw[0]; {
	case c == 'n': // null
		return codec.ID{}, nil
	case c == '"':
		if loneSurrogate(raw) {
			return codec.ID{}, errors.New(`"id" is not valid UTF-8: it holds a lone surrogate escape, which could not be echoed unchanged`)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return codec.ID{}, fmt.Errorf(`"id": %v`, err)
		}
		return stringID(s)
	case c == '-' || '0' <= c && c <= '9':
		if bytes.ContainsAny(raw, ".eE") {
			return codec.ID{}, errors.New(`"id" must be an integer without fraction or exponent`)
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return codec.ID{}, errors.New(`"id" overflows a 64-bit integer`)
		}
		return codec.IntID(n), nil
	}
	return codec.ID{}, errors.New(`"id" must be an integer or a string`)
}

func (jsonValues) op(raw []byte) (string, error) {
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", errors.New(`"op" must be a string`)
	}
	return s, nil
}

// subjects ignores the limit: the frame size bounds a JSON array.
func (jsonValues) subjects(raw []byte, _ int) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, errors.New(`"subjects" must be an array of strings`)
	}
	var out []string
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		s, ok := tok.(string)
		if err != nil || !ok {
			return nil, fmt.Errorf(`"subjects"[%d] must be a string`, i)
		}
		out = append(out, s)
	}
	return out, nil
}

// loneSurrogate reports whether the JSON string token s, which is
// syntactically valid, holds a \u escape of a UTF-16 surrogate (U+D800 to
// U+DFFF) that is not the high half followed by the low half of a pair. Such
// a string has no UTF-8 form: encoding/json decodes the escape to U+FFFD, so
// the string would not come back as sent.
func loneSurrogate(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		i++ // the escaped character
		if s[i] != 'u' {
			continue
		}
		r := hex4(s[i+1 : i+5])
		i += 4 // the last hex digit
		switch {
		case r < 0xd800 || r > 0xdfff:
		case r < 0xdc00 && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u':
			if lo := hex4(s[i+3 : i+7]); lo < 0xdc00 || lo > 0xdfff {
				return true
			}
			i += 6
		default:
			return true
		}
	}
	return false
}

// hex4 is the value of four hex digits.
func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		default: // 'A' to 'F'
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// number reads a JSON number; a number too large for a float64 is refused.
func (jsonValues) number(raw []byte) (float64, bool) {
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

func (jsonValues) boolean(raw []byte) (bool, bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func (jsonValues) str(raw []byte) (string, bool) {
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
