package codec

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Header is what the gateway reads from every feed update: the publisher's
// per-subject sequence number and publish time.
type Header struct {
	Seq uint64 // +1 per subject at the publisher
	TS  int64  // publish time, Unix nanoseconds
}

// NewerThan reports whether h is a later update than old of the same subject.
// An update is stale when neither its seq nor its ts moved forward; a
// publisher that restarts counts seq from 1 again but its ts moves on.
func (h Header) NewerThan(old Header) bool { return h.Seq > old.Seq || h.TS > old.TS }

// Transcode checks that payload is one msgpack map carrying integer "seq" and
// "ts" keys, and appends the same map as a JSON object to dst. It reads the
// payload once and allocates nothing beyond growing dst. Values that JSON
// cannot carry (binary, extensions, NaN, infinities, invalid UTF-8, non-string
// keys) and nesting deeper than 16 levels are errors.
func Transcode(dst, payload []byte) ([]byte, Header, error) {
	r := NewReader(payload)
	var h Header
	var seen uint8
	n, err := r.MapLen()
	if err != nil {
		return dst, h, fmt.Errorf("feed payload: %w", err)
	}
	dst = append(dst, '{')
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		key, err := r.Str()
		if err != nil {
			return dst, h, fmt.Errorf("feed payload key: %w", err)
		}
		if dst, err = appendJSONString(dst, key); err != nil {
			return dst, h, err
		}
		dst = append(dst, ':')
		switch string(key) {
		case "seq":
			seen |= 1
			peek := r
			if h.Seq, err = peek.Uint(); err != nil {
				return dst, h, fmt.Errorf("feed payload seq: %w", err)
			}
		case "ts":
			seen |= 2
			peek := r
			if h.TS, err = peek.Int(); err != nil {
				return dst, h, fmt.Errorf("feed payload ts: %w", err)
			}
		}
		if dst, err = r.appendJSON(dst, 1); err != nil {
			return dst, h, fmt.Errorf("feed payload value of %q: %w", key, err)
		}
	}
	if r.Len() != 0 {
		return dst, h, errors.New("feed payload: bytes after the map")
	}
	if seen != 3 {
		return dst, h, errors.New("feed payload: seq and ts are required")
	}
	return append(dst, '}'), h, nil
}

// appendJSON transcodes the next value to JSON.
func (r *Reader) appendJSON(dst []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, errors.New("msgpack: nested too deep")
	}
	switch t := r.Peek(); t {
	case TypeNil:
		return append(dst, "null"...), r.skipNil()
	case TypeBool:
		v, err := r.Bool()
		return strconv.AppendBool(dst, v), err
	case TypeInt:
		if r.b[r.off] == msgpcode.Uint64 {
			v, err := r.Uint()
			return strconv.AppendUint(dst, v, 10), err
		}
		v, err := r.Int()
		return strconv.AppendInt(dst, v, 10), err
	case TypeFloat:
		bits := 64
		if r.b[r.off] == msgpcode.Float {
			bits = 32
		}
		v, err := r.Float()
		if err != nil {
			return dst, err
		}
		return appendJSONFloat(dst, v, bits)
	case TypeStr:
		s, err := r.Str()
		if err != nil {
			return dst, err
		}
		return appendJSONString(dst, s)
	case TypeArray:
		n, err := r.ArrayLen()
		dst = append(dst, '[')
		for i := 0; err == nil && i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst, err = r.appendJSON(dst, depth+1)
		}
		return append(dst, ']'), err
	case TypeMap:
		n, err := r.MapLen()
		dst = append(dst, '{')
		for i := 0; err == nil && i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			var key []byte
			if key, err = r.Str(); err != nil {
				break
			}
			if dst, err = appendJSONString(dst, key); err != nil {
				break
			}
			dst = append(dst, ':')
			dst, err = r.appendJSON(dst, depth+1)
		}
		return append(dst, '}'), err
	case TypeInvalid:
		return dst, r.skip(0) // reports truncation or the invalid code
	}
	return dst, fmt.Errorf("msgpack: %s has no JSON form", r.Peek())
}

// appendJSONFloat formats like encoding/json: plain decimals for ordinary
// magnitudes, exponent form for very large or small ones.
func appendJSONFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, errors.New("msgpack: NaN or infinity has no JSON form")
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' { // 1e-07 -> 1e-7
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 is an error
// rather than silently replaced: a feed sending it is broken.
func appendJSONString(dst, s []byte) ([]byte, error) {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return dst, errors.New("msgpack: string is not valid UTF-8")
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not valid JavaScript source
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	return append(append(dst, s[start:]...), '"'), nil
}
