package wire

import "math"

// jscan is a minimal JSON scanner over one message: enough to walk an object,
// read strings without escapes, integers and booleans, and skip any other
// value. It checks structure loosely (it is a load generator, not a
// validator) but never reads past its input and never allocates.
type jscan struct {
	b []byte
	i int
}

// maxSkipDepth bounds the nesting skip walks through.
const maxSkipDepth = 64

func (s *jscan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// expect consumes c after optional spaces.
func (s *jscan) expect(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object walks an object, calling value for each key with the scanner at the
// key's value, which value must consume.
func (s *jscan) object(value func(key []byte) error) error {
	if !s.expect('{') {
		return errMalformed
	}
	if s.expect('}') {
		return nil
	}
	for {
		s.space()
		key, err := s.plainString()
		if err != nil {
			return err
		}
		if !s.expect(':') {
			return errMalformed
		}
		s.space()
		if err := value(key); err != nil {
			return err
		}
		if s.expect(',') {
			continue
		}
		if s.expect('}') {
			return nil
		}
		return errMalformed
	}
}

// plainString reads a string and returns its raw bytes between the quotes.
// Escapes are left as they are: the names the parser compares never have any.
func (s *jscan) plainString() ([]byte, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, errMalformed
	}
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch s.b[i] {
		case '\\':
			i++ // the escaped byte
		case '"':
			s.i = i + 1
			return s.b[start:i], nil
		}
	}
	return nil, errMalformed
}

// boolean reads true or false.
func (s *jscan) boolean() (bool, error) {
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return true, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return false, nil
	}
	return false, errMalformed
}

// digits reads an unsigned integer of at most max digits, refusing one that
// overflows int64 when max is 19 or uint64 otherwise, and one with a fraction
// or an exponent.
func (s *jscan) digits(max int) (uint64, error) {
	start := s.i
	var v uint64
	for s.i < len(s.b) && s.i-start <= max {
		c := s.b[s.i]
		if c < '0' || c > '9' {
			break
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, errMalformed
		}
		v = v*10 + d
		s.i++
	}
	n := s.i - start
	if n == 0 || n > max || (max == 19 && v > math.MaxInt64) {
		return 0, errMalformed
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E':
			return 0, errMalformed
		}
	}
	return v, nil
}

// skip consumes one value of any type: strings and nested objects or arrays
// are matched up; a scalar runs to the next delimiter.
func (s *jscan) skip() error {
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if _, err := s.plainString(); err != nil {
				return err
			}
			if depth == 0 {
				return nil
			}
			continue
		case '{', '[':
			depth++
			if depth > maxSkipDepth {
				return errMalformed
			}
		case '}', ']':
			if depth == 0 {
				return errMalformed // a closing bracket where a value belongs
			}
			depth--
			if depth == 0 {
				s.i++
				return nil
			}
		case ',', ' ', '\t', '\r', '\n', ':':
			if depth == 0 {
				return errMalformed // an empty scalar
			}
		default:
			if depth == 0 {
				return s.scalar()
			}
		}
		s.i++
	}
	return errMalformed
}

// scalar consumes a number or literal up to the next delimiter.
func (s *jscan) scalar() error {
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return nil
		case '"', '{', '[', ':':
			return errMalformed
		}
		s.i++
	}
	if s.i == start {
		return errMalformed
	}
	return nil
}
