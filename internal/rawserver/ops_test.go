package rawserver

import (
	"slices"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestParseOp(t *testing.T) {
	mp := func(v any) []byte {
		b, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name     string
		k        codec.Kind
		frame    []byte
		op, id   string
		subjects []string
		bad      bool
	}{
		{"json sub", codec.JSON, []byte(`{"op":"sub","id":1,"subjects":["quotes.A","quotes.B"]}`), "sub", "1", []string{"quotes.A", "quotes.B"}, false},
		{"json ping string id", codec.JSON, []byte(`{"op":"ping","id":"x"}`), "ping", `"x"`, nil, false},
		{"json big id", codec.JSON, []byte(`{"op":"ping","id":9007199254740993}`), "ping", "9007199254740993", nil, false},
		{"json no subjects", codec.JSON, []byte(`{"op":"sub","id":2}`), "sub", "2", nil, true},
		{"json garbage", codec.JSON, []byte(`{"op":`), "", "", nil, true},
		{"json float id", codec.JSON, []byte(`{"op":"ping","id":1.5}`), "ping", "", nil, false},
		{"msgpack sub", codec.Msgpack, mp(map[string]any{"op": "sub", "id": 7, "subjects": []string{"quotes.A"}}), "sub", "7", []string{"quotes.A"}, false},
		{"msgpack uint id", codec.Msgpack, mp(map[string]any{"op": "ping", "id": uint64(1 << 40)}), "ping", "1099511627776", nil, false},
		{"msgpack garbage", codec.Msgpack, []byte{0xc1}, "", "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOp(tt.k, tt.frame)
			if (err != nil) != tt.bad {
				t.Fatalf("error %v, want bad=%v", err, tt.bad)
			}
			if o.op != tt.op || o.id.String() != tt.id || !slices.Equal(o.subjects, tt.subjects) {
				t.Errorf("got %q %q %v", o.op, o.id, o.subjects)
			}
		})
	}
}
