package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ErrShort means a msgpack value runs past the end of its input, or declares a
// length larger than the bytes that remain.
var ErrShort = errors.New("msgpack: truncated input or length beyond input")

// Type is the kind of the next msgpack value.
type Type uint8

// The msgpack value types a Reader tells apart.
const (
	TypeInvalid Type = iota
	TypeNil
	TypeBool
	TypeInt // a signed or unsigned integer
	TypeFloat
	TypeStr
	TypeBin
	TypeArray
	TypeMap
	TypeExt
)

var typeNames = [...]string{"invalid", "nil", "bool", "integer", "float", "string", "binary", "array", "map", "extension"}

func (t Type) String() string {
	if int(t) >= len(typeNames) {
		return "invalid"
	}
	return typeNames[t]
}

// Reader reads msgpack values from a byte slice. Reading a valid value
// allocates nothing, and a Reader never trusts a declared length: a map, array or string that claims more than the
// remaining bytes could hold is ErrShort before anything is read for it.
// The zero value reads nothing; use NewReader.
type Reader struct {
	b   []byte
	off int
}

// NewReader returns a Reader over b. The Reader does not copy b.
func NewReader(b []byte) Reader { return Reader{b: b} }

// Len returns the number of unread bytes.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Peek returns the type of the next value without consuming it.
func (r *Reader) Peek() Type {
	if r.off >= len(r.b) {
		return TypeInvalid
	}
	return typeOf(r.b[r.off])
}

func typeOf(c byte) Type {
	switch {
	case msgpcode.IsFixedNum(c):
		return TypeInt
	case msgpcode.IsFixedMap(c), c == msgpcode.Map16, c == msgpcode.Map32:
		return TypeMap
	case msgpcode.IsFixedArray(c), c == msgpcode.Array16, c == msgpcode.Array32:
		return TypeArray
	case msgpcode.IsString(c):
		return TypeStr
	case c == msgpcode.Nil:
		return TypeNil
	case c == msgpcode.False, c == msgpcode.True:
		return TypeBool
	case c >= msgpcode.Uint8 && c <= msgpcode.Int64:
		return TypeInt
	case c == msgpcode.Float, c == msgpcode.Double:
		return TypeFloat
	case msgpcode.IsBin(c):
		return TypeBin
	case msgpcode.IsExt(c):
		return TypeExt
	}
	return TypeInvalid // 0xc1 is never used
}

func (r *Reader) wrongType(want Type) error {
	if r.off >= len(r.b) {
		return ErrShort
	}
	return fmt.Errorf("msgpack: want %s, got %s", want, typeOf(r.b[r.off]))
}

// take consumes n bytes, checking they exist.
func (r *Reader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, ErrShort
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p, nil
}

// length reads a big-endian length of size 1, 2 or 4 bytes.
func (r *Reader) length(size int) (int, error) {
	p, err := r.take(size)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return int(p[0]), nil
	case 2:
		return int(binary.BigEndian.Uint16(p)), nil
	}
	n := binary.BigEndian.Uint32(p)
	if uint64(n) > uint64(len(r.b)) { // also keeps int conversion safe on 32-bit
		return 0, ErrShort
	}
	return int(n), nil
}

// MapLen reads a map header and returns its number of key/value pairs.
func (r *Reader) MapLen() (int, error) {
	n, err := r.header(TypeMap, msgpcode.FixedMapMask, 0, msgpcode.Map16, msgpcode.Map32)
	if err == nil && n > r.Len()/2 { // every pair takes at least two bytes
		err = ErrShort
	}
	return n, err
}

// ArrayLen reads an array header and returns its number of elements.
func (r *Reader) ArrayLen() (int, error) {
	n, err := r.header(TypeArray, msgpcode.FixedArrayMask, 0, msgpcode.Array16, msgpcode.Array32)
	if err == nil && n > r.Len() { // every element takes at least one byte
		err = ErrShort
	}
	return n, err
}

// Str reads a string and returns its bytes, which alias the input.
func (r *Reader) Str() ([]byte, error) {
	n, err := r.header(TypeStr, msgpcode.FixedStrMask, msgpcode.Str8, msgpcode.Str16, msgpcode.Str32)
	if err != nil {
		return nil, err
	}
	return r.take(n)
}

// header reads the header of a value of type t and returns the length it
// declares: in the code itself (under fixMask), or in the 1, 2 or 4 bytes
// after code c8, c16 or c32 (c8 is 0 where the type has no 8-bit form).
func (r *Reader) header(t Type, fixMask, c8, c16, c32 byte) (int, error) {
	if r.Peek() != t {
		return 0, r.wrongType(t)
	}
	c := r.b[r.off]
	r.off++
	switch {
	case c == c8 && c8 != 0:
		return r.length(1)
	case c == c16:
		return r.length(2)
	case c == c32:
		return r.length(4)
	}
	return int(c & fixMask), nil
}

// Int reads any msgpack integer that fits in an int64.
func (r *Reader) Int() (int64, error) {
	if r.Peek() != TypeInt {
		return 0, r.wrongType(TypeInt)
	}
	c := r.b[r.off]
	r.off++
	if msgpcode.IsFixedNum(c) {
		return int64(int8(c)), nil
	}
	var size int
	switch c {
	case msgpcode.Uint8, msgpcode.Int8:
		size = 1
	case msgpcode.Uint16, msgpcode.Int16:
		size = 2
	case msgpcode.Uint32, msgpcode.Int32:
		size = 4
	default:
		size = 8
	}
	p, err := r.take(size)
	if err != nil {
		return 0, err
	}
	switch c {
	case msgpcode.Uint8:
		return int64(p[0]), nil
	case msgpcode.Uint16:
		return int64(binary.BigEndian.Uint16(p)), nil
	case msgpcode.Uint32:
		return int64(binary.BigEndian.Uint32(p)), nil
	case msgpcode.Uint64:
		u := binary.BigEndian.Uint64(p)
		if u > math.MaxInt64 {
			return 0, errors.New("msgpack: integer overflows int64")
		}
		return int64(u), nil
	case msgpcode.Int8:
		return int64(int8(p[0])), nil
	case msgpcode.Int16:
		return int64(int16(binary.BigEndian.Uint16(p))), nil
	case msgpcode.Int32:
		return int64(int32(binary.BigEndian.Uint32(p))), nil
	}
	return int64(binary.BigEndian.Uint64(p)), nil
}

// Uint reads any msgpack integer that is not negative.
func (r *Reader) Uint() (uint64, error) {
	if r.off < len(r.b) && r.b[r.off] == msgpcode.Uint64 {
		p, err := r.take(9)
		if err != nil {
			return 0, err
		}
		return binary.BigEndian.Uint64(p[1:]), nil
	}
	n, err := r.Int()
	if err == nil && n < 0 {
		return 0, errors.New("msgpack: negative integer where unsigned is required")
	}
	return uint64(n), err
}

// float reads a float32 or float64.
// Float reads a float32 or float64.
func (r *Reader) Float() (float64, error) {
	if r.Peek() != TypeFloat {
		return 0, r.wrongType(TypeFloat)
	}
	c := r.b[r.off]
	r.off++
	if c == msgpcode.Float {
		p, err := r.take(4)
		if err != nil {
			return 0, err
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(p))), nil
	}
	p, err := r.take(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(p)), nil
}

// Bool reads a boolean.
func (r *Reader) Bool() (bool, error) {
	if r.Peek() != TypeBool {
		return false, r.wrongType(TypeBool)
	}
	v := r.b[r.off] == msgpcode.True
	r.off++
	return v, nil
}

// skipNil consumes a nil value.
func (r *Reader) skipNil() error {
	if r.Peek() != TypeNil {
		return r.wrongType(TypeNil)
	}
	r.off++
	return nil
}

// maxDepth bounds nesting in Skip and Transcode.
const maxDepth = 16

// Skip consumes the next value, nested up to 16 levels.
func (r *Reader) Skip() error { return r.skip(0) }

func (r *Reader) skip(depth int) error {
	if depth > maxDepth {
		return errors.New("msgpack: nested too deep")
	}
	switch t := r.Peek(); t {
	case TypeNil:
		return r.skipNil()
	case TypeBool:
		_, err := r.Bool()
		return err
	case TypeInt:
		if r.b[r.off] == msgpcode.Uint64 {
			_, err := r.Uint()
			return err
		}
		_, err := r.Int()
		return err
	case TypeFloat:
		_, err := r.Float()
		return err
	case TypeStr:
		_, err := r.Str()
		return err
	case TypeArray, TypeMap:
		var n int
		var err error
		if t == TypeMap {
			n, err = r.MapLen()
			n *= 2
		} else {
			n, err = r.ArrayLen()
		}
		for i := 0; err == nil && i < n; i++ {
			err = r.skip(depth + 1)
		}
		return err
	case TypeBin, TypeExt:
		return r.skipBlob()
	case TypeInvalid:
		if r.off >= len(r.b) {
			return ErrShort
		}
	}
	return fmt.Errorf("msgpack: invalid code 0x%x", r.b[r.off])
}

// skipBlob consumes a bin or ext value.
func (r *Reader) skipBlob() error {
	c := r.b[r.off]
	r.off++
	var n int
	var err error
	switch c {
	case msgpcode.Bin8, msgpcode.Ext8:
		n, err = r.length(1)
	case msgpcode.Bin16, msgpcode.Ext16:
		n, err = r.length(2)
	case msgpcode.Bin32, msgpcode.Ext32:
		n, err = r.length(4)
	default: // fixext: 1, 2, 4, 8 or 16 bytes of data
		n = 1 << (c - msgpcode.FixExt1)
	}
	if err != nil {
		return err
	}
	if msgpcode.IsExt(c) {
		n++ // the ext type byte
	}
	_, err = r.take(n)
	return err
}
