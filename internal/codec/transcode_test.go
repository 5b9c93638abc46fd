package codec

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestQuoteAndScoreRoundTripThroughTranscode(t *testing.T) {
	tests := []any{
		&Quote{Symbol: "AAPL", Bid: 189.12, Ask: 189.14, Last: 189.13, Size: 100, Volume: 1234567, Seq: 42, TS: 1732350000123456789},
		&Score{League: "nba", Game: "g0042", Home: "BOS", Away: "LAL", HomeScore: 88, AwayScore: 85, Period: 4, Clock: "02:31", Status: "live", Seq: 17, TS: 1732350000123456789},
	}
	for _, in := range tests {
		t.Run(reflect.TypeOf(in).Elem().Name(), func(t *testing.T) {
			js, h, err := Transcode(nil, mustMarshal(t, in))
			if err != nil {
				t.Fatal(err)
			}
			out := reflect.New(reflect.TypeOf(in).Elem()).Interface()
			if err := json.Unmarshal(js, out); err != nil {
				t.Fatalf("%s: %v", js, err)
			}
			if !reflect.DeepEqual(in, out) {
				t.Fatalf("round trip changed it:\n in %+v\nout %+v\njson %s", in, out, js)
			}
			if h.Seq == 0 || h.TS != 1732350000123456789 {
				t.Fatalf("header %+v", h)
			}
		})
	}
}

func TestTranscodeWritesJSONThatMeansTheSameAsTheMsgpack(t *testing.T) {
	in := map[string]any{
		"seq": uint64(math.MaxUint64), "ts": int64(-5),
		"f32": float32(189.12), "f64": 0.1, "tiny": 1e-9, "huge": 1e300, "zero": 0.0,
		"neg": int64(math.MinInt64), "nil": nil, "yes": true,
		"text":   "quote \" backslash \\ newline \n tab \t ctl \x01 line-sep \u2028 é 日本",
		"nested": map[string]any{"a": []any{int8(1), "two", []any{}, map[string]any{}}},
	}
	js, h, err := Transcode(nil, mustMarshal(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if h.Seq != math.MaxUint64 || h.TS != -5 {
		t.Fatalf("header %+v", h)
	}
	if !json.Valid(js) {
		t.Fatalf("invalid JSON: %s", js)
	}
	var got map[string]any
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"f32": 189.12, "f64": 0.1, "tiny": 1e-9, "huge": 1e300, "zero": 0.0, "yes": true, "nil": nil,
		"text": in["text"],
	}
	for k, want := range checks {
		if got[k] != want {
			t.Errorf("%s: got %v, want %v", k, got[k], want)
		}
	}
	if !strings.Contains(string(js), `"seq":18446744073709551615`) || !strings.Contains(string(js), `"neg":-9223372036854775808`) {
		t.Errorf("integers lost precision: %s", js)
	}
}

func TestTranscodeRefusesWhatJSONCannotCarryOrTheProtocolForbids(t *testing.T) {
	valid := func(extra map[string]any) []byte {
		m := map[string]any{"seq": 1, "ts": 2}
		for k, v := range extra {
			m[k] = v
		}
		return mustMarshal(t, m)
	}
	deep := any("leaf")
	for range 20 {
		deep = []any{deep}
	}
	tests := map[string][]byte{
		"empty input":        nil,
		"not a map":          mustMarshal(t, []int{1}),
		"no seq":             mustMarshal(t, map[string]any{"ts": 2}),
		"no ts":              mustMarshal(t, map[string]any{"seq": 1}),
		"seq is a string":    mustMarshal(t, map[string]any{"seq": "1", "ts": 2}),
		"negative seq":       mustMarshal(t, map[string]any{"seq": -1, "ts": 2}),
		"ts is a float":      mustMarshal(t, map[string]any{"seq": 1, "ts": 2.5}),
		"binary value":       valid(map[string]any{"b": []byte{1, 2}}),
		"NaN":                valid(map[string]any{"f": math.NaN()}),
		"infinity":           valid(map[string]any{"f": math.Inf(-1)}),
		"invalid UTF-8":      valid(map[string]any{"s": "\xff\xfe"}),
		"nested too deep":    valid(map[string]any{"d": deep}),
		"integer map key":    mustMarshal(t, map[any]any{"seq": 1, "ts": 2, 7: "x"}),
		"trailing bytes":     append(valid(nil), 0xc0),
		"truncated":          valid(map[string]any{"s": "hello"})[:10],
		"map32 of 2^32-1":    {0xdf, 0xff, 0xff, 0xff, 0xff},
		"str32 of 4 GB":      {0x81, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'},
		"never-used code c1": {0x81, 0xa1, 'a', 0xc1},
		"extension value":    {0x83, 0xa3, 's', 'e', 'q', 1, 0xa2, 't', 's', 2, 0xa1, 'x', 0xd4, 1, 1},
	}
	for name, payload := range tests {
		t.Run(name, func(t *testing.T) {
			if js, _, err := Transcode(nil, payload); err == nil {
				t.Fatalf("accepted, gave %s", js)
			}
		})
	}
}

func TestTranscodeDoesNotAllocateBeyondItsOutput(t *testing.T) {
	payload := mustMarshal(t, &Quote{Symbol: "AAPL", Bid: 1, Ask: 2, Last: 1.5, Seq: 1, TS: 2})
	buf := make([]byte, 0, 512)
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := Transcode(buf[:0], payload); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per transcode", allocs)
	}
}

func FuzzTranscode(f *testing.F) {
	f.Add(mustMarshal(f, &Quote{Symbol: "AAPL", Bid: 1, Ask: 2, Last: 1.5, Seq: 1, TS: 2}))
	f.Add(mustMarshal(f, &Score{League: "nba", Game: "g1", Clock: "12:00", Seq: 3, TS: 4}))
	f.Add(mustMarshal(f, map[string]any{"seq": 1, "ts": 2, "x": []any{nil, true, 1.5, "s", map[string]any{}}}))
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, payload []byte) {
		js, h, err := Transcode(nil, payload)
		if err != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			t.Fatalf("accepted %x but wrote invalid JSON %s: %v", payload, js, err)
		}
		var back map[string]any
		if err := msgpack.Unmarshal(payload, &back); err != nil {
			t.Fatalf("accepted %x which msgpack cannot decode: %v", payload, err)
		}
		if len(back) != len(m) {
			t.Fatalf("%d keys in msgpack, %d in JSON (duplicate keys?)", len(back), len(m))
		}
		_ = h
	})
}
