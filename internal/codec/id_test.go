package codec

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// TestRepliesEchoTheIDUnchanged checks that a reply carries every valid id
// back as the same value, in both encodings, and that a JSON reply never
// holds a raw newline, which would split it in a batched frame.
func TestRepliesEchoTheIDUnchanged(t *testing.T) {
	var control strings.Builder
	for c := range rune(0x20) {
		control.WriteRune(c)
	}
	strs := []struct{ name, s string }{
		{"empty", ""},
		{"ASCII", "req-42"},
		{"quotes and backslashes", `a"b\c/d`},
		{"every control character", control.String()},
		{"DEL", "\x7f"},
		{"line and paragraph separators", "\u2028\u2029"},
		{"U+FFFD", "\ufffd"},
		{"four-byte characters", "😀𝄞"},
		{"64 bytes", strings.Repeat("é", 32)},
	}
	for _, tt := range strs {
		t.Run(tt.name, func(t *testing.T) {
			id := StringID(tt.s)
			js := AppendPong(JSON, nil, id)
			if bytes.ContainsAny(js, "\n\r") {
				t.Errorf("JSON reply %q holds a raw line break", js)
			}
			var j struct{ ID *string }
			if err := json.Unmarshal(js, &j); err != nil || j.ID == nil || *j.ID != tt.s {
				t.Errorf("JSON reply %q: id %v, %v; want %q", js, j.ID, err, tt.s)
			}
			var m struct {
				ID *string `msgpack:"id"`
			}
			if err := msgpack.Unmarshal(AppendPong(Msgpack, nil, id), &m); err != nil || m.ID == nil || *m.ID != tt.s {
				t.Errorf("msgpack reply: id %v, %v; want %q", m.ID, err, tt.s)
			}
		})
	}
	for _, n := range []int64{0, 1, -1, 127, 128, -32, -33, math.MaxInt64, math.MinInt64} {
		id := IntID(n)
		var j struct{ ID json.Number }
		if err := json.Unmarshal(AppendAck(JSON, nil, id), &j); err != nil || j.ID.String() != id.String() {
			t.Errorf("JSON reply of %d: id %q, %v", n, j.ID, err)
		}
		var m struct {
			ID *int64 `msgpack:"id"`
		}
		if err := msgpack.Unmarshal(AppendAck(Msgpack, nil, id), &m); err != nil || m.ID == nil || *m.ID != n {
			t.Errorf("msgpack reply of %d: %v, %v", n, m.ID, err)
		}
	}
}
