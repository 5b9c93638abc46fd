package codec

import (
	"errors"
	"math"
	"testing"
)

func TestReaderRefusesDeclaredLengthsBeyondTheInput(t *testing.T) {
	tests := map[string]struct {
		in   []byte
		read func(*Reader) error
	}{
		"map16 of 1000 pairs in 3 bytes": {[]byte{0xde, 0x03, 0xe8}, func(r *Reader) error { _, err := r.MapLen(); return err }},
		"array32 of 1e9":                 {[]byte{0xdd, 0x3b, 0x9a, 0xca, 0x00}, func(r *Reader) error { _, err := r.ArrayLen(); return err }},
		"str8 of 10 with 2 bytes":        {[]byte{0xd9, 10, 'a', 'b'}, func(r *Reader) error { _, err := r.Str(); return err }},
		"str32 of 4 GB":                  {[]byte{0xdb, 0xff, 0xff, 0xff, 0xff}, func(r *Reader) error { _, err := r.Str(); return err }},
		"bin32 of 4 GB":                  {[]byte{0xc6, 0xff, 0xff, 0xff, 0xff}, func(r *Reader) error { return r.Skip() }},
		"int64 cut short":                {[]byte{0xd3, 1, 2}, func(r *Reader) error { _, err := r.Int(); return err }},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r := NewReader(tt.in)
			if err := tt.read(&r); !errors.Is(err, ErrShort) {
				t.Fatalf("err = %v, want ErrShort", err)
			}
		})
	}
}

func TestReaderReadsEveryIntegerEncoding(t *testing.T) {
	tests := []struct {
		in   []byte
		want int64
	}{
		{[]byte{0x05}, 5},
		{[]byte{0xff}, -1},
		{[]byte{0xcc, 0xff}, 255},
		{[]byte{0xcd, 0xff, 0xff}, 65535},
		{[]byte{0xce, 0xff, 0xff, 0xff, 0xff}, math.MaxUint32},
		{[]byte{0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, math.MaxInt64},
		{[]byte{0xd0, 0x80}, -128},
		{[]byte{0xd1, 0x80, 0x00}, math.MinInt16},
		{[]byte{0xd2, 0x80, 0, 0, 0}, math.MinInt32},
		{[]byte{0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}, math.MinInt64},
	}
	for _, tt := range tests {
		r := NewReader(tt.in)
		got, err := r.Int()
		if err != nil || got != tt.want || r.Len() != 0 {
			t.Errorf("% x: got %d, %v, %d left; want %d", tt.in, got, err, r.Len(), tt.want)
		}
	}
	r := NewReader([]byte{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if _, err := r.Int(); err == nil {
		t.Error("uint64 max read as int64")
	}
	r = NewReader([]byte{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if u, err := r.Uint(); err != nil || u != math.MaxUint64 {
		t.Errorf("Uint = %d, %v", u, err)
	}
}

func FuzzReaderSkip(f *testing.F) {
	f.Add([]byte{0x81, 0xa1, 'a', 0x92, 0x01, 0xc0})
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b)
		before := r.Len()
		if err := r.Skip(); err == nil && r.Len() >= before {
			t.Fatalf("Skip succeeded without consuming input")
		}
	})
}
