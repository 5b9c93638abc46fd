package codec

import (
	"maps"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func TestAppendDeltaKeepsTheChangedFieldsWithSeqAndTS(t *testing.T) {
	tests := []struct {
		name       string
		prev, next map[string]any
		want       map[string]any
		ok         bool
	}{
		{"one field changed", map[string]any{"bid": 1.5, "ask": 2.0, "seq": 1, "ts": 10},
			map[string]any{"bid": 1.5, "ask": 2.5, "seq": 2, "ts": 20},
			map[string]any{"ask": 2.5, "seq": int8(2), "ts": int8(20)}, true},
		{"a new field", map[string]any{"seq": 1, "ts": 10},
			map[string]any{"clock": "02:31", "seq": 2, "ts": 20},
			map[string]any{"clock": "02:31", "seq": int8(2), "ts": int8(20)}, true},
		{"a removed field goes whole", map[string]any{"bid": 1.5, "seq": 1, "ts": 10},
			map[string]any{"seq": 2, "ts": 20}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := AppendDelta(nil, mustMarshal(t, tt.prev), mustMarshal(t, tt.next))
			if ok != tt.ok {
				t.Fatalf("ok %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			var got map[string]any
			if err := msgpack.Unmarshal(d, &got); err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(got, tt.want, func(a, b any) bool { return a == b }) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzAppendDelta(f *testing.F) {
	f.Add([]byte("\x82\xa3seq\x01\xa2ts\x02"), []byte("\x83\xa3seq\x02\xa2ts\x03\xa1a\xc3"))
	f.Fuzz(func(t *testing.T, prev, next []byte) {
		d, ok := AppendDelta(nil, prev, next)
		if !ok {
			return
		}
		var p, n, dm map[string]any
		if msgpack.Unmarshal(prev, &p) != nil || msgpack.Unmarshal(next, &n) != nil {
			return
		}
		if err := msgpack.Unmarshal(d, &dm); err != nil {
			t.Fatalf("delta %x does not decode: %v", d, err)
		}
		maps.Copy(p, dm)
		if len(p) != len(n) {
			t.Fatalf("prev merged with the delta has %d keys, next %d", len(p), len(n))
		}
	})
}
