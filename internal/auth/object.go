package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// decodeObject decodes a JOSE header or a claims set: one JSON object, its
// numbers as json.Number so that no value is rounded before it is checked.
// Invalid UTF-8, a member name given twice, or anything after the object is an
// error. encoding/json alone would replace invalid bytes with U+FFFD and keep
// the last of two members silently; RFC 7515 §5.2 and RFC 7519 §7.2 let a
// verifier refuse both, and refusing leaves no room for the issuer and the
// gateway to read one token two ways.
func decodeObject(data []byte) (map[string]any, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	m := make(map[string]any)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		name, ok := tok.(string)
		if !ok { // the decoder yields only strings in name position
			return nil, errors.New("invalid JSON: member name is not a string")
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("member %.32q given twice", name)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		m[name] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}
