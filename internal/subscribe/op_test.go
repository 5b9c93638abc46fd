package subscribe_test

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// parseCase is one row of a parser table. A zero wantErr means the frame
// parses to want; otherwise it fails with bad_request, the id wantID and a
// message containing wantErr.
type parseCase struct {
	name    string
	frame   []byte
	want    subscribe.Op
	wantErr string
	wantID  codec.ID
}

func runParse(t *testing.T, k codec.Kind, p subscribe.Parser, tests []parseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := p.Parse(k, tt.frame)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v, want %+v", err, tt.want)
				}
				if op.Kind != tt.want.Kind || op.ID != tt.want.ID || !slices.Equal(op.Subjects, tt.want.Subjects) ||
					op.MaxRate != tt.want.MaxRate || op.Delta != tt.want.Delta || op.Token != tt.want.Token ||
					(op.Subjects == nil) != (tt.want.Subjects == nil) {
					t.Errorf("op %+v, want %+v", op, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("op %+v, want error containing %q", op, tt.wantErr)
			}
			if err.Code != subscribe.CodeBadRequest || !strings.Contains(err.Msg, tt.wantErr) || err.ID != tt.wantID {
				t.Errorf("error {%s %q id=%s}, want {%s containing %q id=%s}",
					err.Code, err.Msg, err.ID, subscribe.CodeBadRequest, tt.wantErr, tt.wantID)
			}
		})
	}
}

func sub(id codec.ID, subjects ...string) subscribe.Op {
	return subscribe.Op{Kind: subscribe.OpSub, ID: id, Subjects: subjects}
}

var (
	noID    codec.ID
	id5     = codec.IntID(5)
	idX     = codec.StringID("x")
	id64    = strings.Repeat("i", 64)
	manyAny = func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = "quotes.A"
		}
		return out
	}
)

func TestParseJSON(t *testing.T) {
	j := func(s string) []byte { return []byte(s) }
	tests := []parseCase{
		{name: "sub", frame: j(`{"op":"sub","id":1,"subjects":["quotes.AAPL","scores.nba.*"]}`),
			want: sub(codec.IntID(1), "quotes.AAPL", "scores.nba.*")},
		{name: "unsub", frame: j(`{"op":"unsub","id":2,"subjects":["quotes.AAPL"]}`),
			want: subscribe.Op{Kind: subscribe.OpUnsub, ID: codec.IntID(2), Subjects: []string{"quotes.AAPL"}}},
		{name: "ping", frame: j(`{"op":"ping","id":3}`), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.IntID(3)}},
		{name: "ping ignores subjects", frame: j(`{"op":"ping","subjects":["quotes.A"]}`), want: subscribe.Op{Kind: subscribe.OpPing}},
		{name: "ping ignores empty subjects", frame: j(`{"op":"ping","subjects":[]}`), want: subscribe.Op{Kind: subscribe.OpPing}},
		{name: "no id", frame: j(`{"op":"sub","subjects":["a"]}`), want: sub(noID, "a")},
		{name: "null id is absent", frame: j(`{"op":"sub","id":null,"subjects":["a"]}`), want: sub(noID, "a")},
		{name: "string id", frame: j(`{"op":"sub","id":"x","subjects":["a"]}`), want: sub(idX, "a")},
		{name: "string id with escapes", frame: j(`{"op":"sub","id":"\u00e9\n","subjects":["a"]}`), want: sub(codec.StringID("é\n"), "a")},
		{name: "64-byte id", frame: j(`{"op":"sub","id":"` + id64 + `","subjects":["a"]}`), want: sub(codec.StringID(id64), "a")},
		{name: "64 bytes once escapes are decoded", frame: j(`{"op":"sub","id":"` + strings.Repeat(`\u00e9`, 32) + `","subjects":["a"]}`), want: sub(codec.StringID(strings.Repeat("é", 32)), "a")},
		{name: "a surrogate pair is one character", frame: j(`{"op":"ping","id":"\ud83d\ude00"}`), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.StringID("😀")}},
		{name: "a surrogate pair in upper case", frame: j(`{"op":"ping","id":"x\uD83D\uDE00y"}`), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.StringID("x😀y")}},
		{name: "U+FFFD itself is an id", frame: j(`{"op":"ping","id":"\ufffd�"}`), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.StringID("\ufffd\ufffd")}},
		{name: "an escaped backslash before u is no escape", frame: j(`{"op":"ping","id":"\\ud800"}`), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.StringID(`\ud800`)}},
		{name: "a lone surrogate in an unknown key is ignored", frame: j(`{"op":"ping","x":"\ud800"}`), want: subscribe.Op{Kind: subscribe.OpPing}},
		{name: "negative zero id is 0", frame: j(`{"op":"ping","id":-0}`), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.IntID(0)}},
		{name: "negative id", frame: j(`{"op":"sub","id":-9,"subjects":["a"]}`), want: sub(codec.IntID(-9), "a")},
		{name: "largest id", frame: j(`{"op":"sub","id":9223372036854775807,"subjects":["a"]}`), want: sub(codec.IntID(math.MaxInt64), "a")},
		{name: "smallest id", frame: j(`{"op":"sub","id":-9223372036854775808,"subjects":["a"]}`), want: sub(codec.IntID(math.MinInt64), "a")},
		{name: "keys in any order", frame: j(`{"subjects":["a"],"id":5,"op":"sub"}`), want: sub(id5, "a")},
		{name: "whitespace everywhere", frame: j(" \t{ \"op\" : \"sub\" ,\n\"id\" : 5 , \"subjects\" : [ \"a\" , \"b\" ] }\r\n"), want: sub(id5, "a", "b")},
		{name: "unknown keys are ignored", frame: j(`{"op":"sub","v":2,"x":{"y":[1,{"z":null}]},"subjects":["a"]}`), want: sub(noID, "a")},
		{name: "unknown key may repeat", frame: j(`{"op":"sub","x":1,"x":2,"subjects":["a"]}`), want: sub(noID, "a")},
		{name: "escaped key is the same key", frame: j(`{"\u006fp":"sub","subjects":["a"]}`), want: sub(noID, "a")},
		{name: "subjects are not validated", frame: j(`{"op":"sub","subjects":["quotes..X",">",""]}`), want: sub(noID, "quotes..X", ">", "")},
		{name: "repeated subjects are kept", frame: j(`{"op":"sub","subjects":["a","a"]}`), want: sub(noID, "a", "a")},
		{name: "an unknown value 10,000 arrays deep", frame: j(`{"op":"ping","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`), want: subscribe.Op{Kind: subscribe.OpPing}},
		{name: "any number of subjects", frame: j(`{"op":"sub","subjects":[` + strings.Repeat(`"a",`, 999) + `"a"]}`),
			want: sub(noID, slices.Repeat([]string{"a"}, 1000)...)},

		{name: "an unknown value 10,001 arrays deep", frame: j(`{"op":"ping","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`), wantErr: "exceeded max depth"},
		{name: "a byte order mark", frame: j("\ufeff{\"op\":\"ping\"}"), wantErr: "invalid JSON"},
		{name: "a form feed is not JSON whitespace", frame: j("{\"op\":\"ping\",\"id\":5}\f"), wantErr: "trailing data", wantID: id5},
		{name: "empty frame", frame: j(``), wantErr: "unexpected end"},
		{name: "whitespace only", frame: j("  \n"), wantErr: "unexpected end"},
		{name: "empty object", frame: j(`{}`), wantErr: `missing "op"`},
		{name: "array", frame: j(`[{"op":"ping"}]`), wantErr: "not a JSON object"},
		{name: "string", frame: j(`"ping"`), wantErr: "not a JSON object"},
		{name: "null", frame: j(`null`), wantErr: "not a JSON object"},
		{name: "truncated", frame: j(`{"op":"ping","id":5`), wantErr: "invalid JSON"},
		{name: "trailing comma", frame: j(`{"op":"ping",}`), wantErr: "invalid JSON"},
		{name: "missing colon", frame: j(`{"op" "ping"}`), wantErr: "invalid JSON"},
		{name: "single quotes", frame: j(`{'op':'ping'}`), wantErr: "invalid JSON"},
		{name: "bad escape", frame: j(`{"op":"p\ing"}`), wantErr: "invalid JSON"},
		{name: "raw control character", frame: j("{\"op\":\"pi\x01ng\"}"), wantErr: "invalid JSON"},
		{name: "invalid UTF-8", frame: j("{\"op\":\"ping\",\"id\":\"\xff\"}"), wantErr: "not valid UTF-8"},
		{name: "trailing garbage keeps the id", frame: j(`{"op":"ping","id":5} x`), wantErr: "trailing data", wantID: id5},
		{name: "second object", frame: j(`{"op":"ping","id":5}{"op":"ping"}`), wantErr: "trailing data", wantID: id5},
		{name: "second object after newline", frame: j("{\"op\":\"ping\"}\n{\"op\":\"ping\"}\n"), wantErr: "trailing data"},
		{name: "missing op", frame: j(`{"id":5,"subjects":["a"]}`), wantErr: `missing "op"`, wantID: id5},
		{name: "keys are case-sensitive", frame: j(`{"OP":"ping","id":5}`), wantErr: `missing "op"`, wantID: id5},
		{name: "op values are case-sensitive", frame: j(`{"op":"PING","id":5}`), wantErr: `unknown op "PING"`, wantID: id5},
		{name: "unknown op keeps the id", frame: j(`{"op":"bogus","id":5}`), wantErr: `unknown op "bogus"`, wantID: id5},
		{name: "op not a string", frame: j(`{"op":1,"id":5}`), wantErr: `"op" must be a string`, wantID: id5},
		{name: "op null", frame: j(`{"op":null,"id":5}`), wantErr: `"op" must be a string`, wantID: id5},
		{name: "duplicate op", frame: j(`{"op":"ping","id":5,"op":"ping"}`), wantErr: `key "op" given twice`, wantID: id5},
		{name: "duplicate subjects", frame: j(`{"op":"sub","subjects":["a"],"subjects":["b"]}`), wantErr: `key "subjects" given twice`},
		{name: "duplicate id has no id", frame: j(`{"id":1,"op":"ping","id":1}`), wantErr: `key "id" given twice`},
		{name: "fraction id", frame: j(`{"op":"ping","id":1.0}`), wantErr: "without fraction or exponent"},
		{name: "exponent id", frame: j(`{"op":"ping","id":1e3}`), wantErr: "without fraction or exponent"},
		{name: "id beyond int64", frame: j(`{"op":"ping","id":9223372036854775808}`), wantErr: "overflows"},
		{name: "boolean id", frame: j(`{"op":"ping","id":true}`), wantErr: `"id" must be an integer or a string`},
		{name: "array id", frame: j(`{"op":"ping","id":[1]}`), wantErr: `"id" must be an integer or a string`},
		{name: "object id", frame: j(`{"op":"ping","id":{}}`), wantErr: `"id" must be an integer or a string`},
		{name: "65-byte id", frame: j(`{"op":"ping","id":"` + id64 + `i"}`), wantErr: "longer than 64 bytes"},
		{name: "65 bytes once escapes are decoded", frame: j(`{"op":"ping","id":"` + strings.Repeat(`\u00e9`, 32) + `i"}`), wantErr: "longer than 64 bytes"},
		{name: "a lone high surrogate id", frame: j(`{"op":"ping","id":"\ud800"}`), wantErr: "lone surrogate"},
		{name: "a lone low surrogate id", frame: j(`{"op":"ping","id":"\udc00"}`), wantErr: "lone surrogate"},
		{name: "a lone surrogate inside an id", frame: j(`{"op":"ping","id":"a\uDBFFb"}`), wantErr: "lone surrogate"},
		{name: "a high surrogate before a non-surrogate", frame: j(`{"op":"ping","id":"\ud800\u0041"}`), wantErr: "lone surrogate"},
		{name: "two high surrogates, then a low one", frame: j(`{"op":"ping","id":"\ud83d\ud83d\ude00"}`), wantErr: "lone surrogate"},
		{name: "a low surrogate, then a high one", frame: j(`{"op":"ping","id":"\ude00\ud83d"}`), wantErr: "lone surrogate"},
		{name: "a high surrogate at the end", frame: j(`{"op":"ping","id":"x\ud83d"}`), wantErr: "lone surrogate"},
		{name: "a lone surrogate id on a sub has no id", frame: j(`{"op":"sub","id":"\ud800","subjects":["a"]}`), wantErr: "lone surrogate"},
		{name: "bad id wins over bad op", frame: j(`{"op":"bogus","id":1.5}`), wantErr: "without fraction"},
		{name: "sub without subjects", frame: j(`{"op":"sub","id":5}`), wantErr: `sub without "subjects"`, wantID: id5},
		{name: "unsub without subjects", frame: j(`{"op":"unsub","id":5}`), wantErr: `unsub without "subjects"`, wantID: id5},
		{name: "empty subjects", frame: j(`{"op":"sub","id":5,"subjects":[]}`), wantErr: `sub with empty "subjects"`, wantID: id5},
		{name: "subjects a string keeps the id", frame: j(`{"op":"sub","id":"x","subjects":"a"}`), wantErr: `"subjects" must be an array`, wantID: idX},
		{name: "subjects before a string id", frame: j(`{"subjects":"a","op":"sub","id":"x"}`), wantErr: `"subjects" must be an array`, wantID: idX},
		{name: "subjects null", frame: j(`{"op":"sub","subjects":null}`), wantErr: `"subjects" must be an array`},
		{name: "subjects an object", frame: j(`{"op":"sub","subjects":{"a":1}}`), wantErr: `"subjects" must be an array`},
		{name: "subject a number", frame: j(`{"op":"sub","subjects":["a",1]}`), wantErr: `"subjects"[1] must be a string`},
		{name: "subject null", frame: j(`{"op":"sub","subjects":[null]}`), wantErr: `"subjects"[0] must be a string`},
		{name: "subject an array", frame: j(`{"op":"sub","subjects":[["a"]]}`), wantErr: `"subjects"[0] must be a string`},
		{name: "ping with ill-typed subjects", frame: j(`{"op":"ping","id":5,"subjects":5}`), wantErr: `"subjects" must be an array`, wantID: id5},
	}
	runParse(t, codec.JSON, subscribe.Parser{}, tests)
}

func mp(t testing.TB, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixstr encodes a short msgpack string by hand.
func fixstr(s string) []byte { return append([]byte{0xa0 | byte(len(s))}, s...) }

func cat(parts ...[]byte) []byte { return slices.Concat(parts...) }

func TestParseMsgpack(t *testing.T) {
	type m = map[string]any
	subjects := func(n int) m { return m{"op": "sub", "id": 5, "subjects": manyAny(n)} }
	keys := func(n int) m { // n keys, one of them "op"
		out := m{"op": "ping"}
		for i := range n - 1 {
			out[strings.Repeat("k", i+1)] = i
		}
		return out
	}

	tests := []parseCase{
		{name: "sub", frame: mp(t, m{"op": "sub", "id": 1, "subjects": []string{"quotes.AAPL", "scores.nba.*"}}),
			want: sub(codec.IntID(1), "quotes.AAPL", "scores.nba.*")},
		{name: "unsub", frame: mp(t, m{"op": "unsub", "id": 2, "subjects": []string{"quotes.AAPL"}}),
			want: subscribe.Op{Kind: subscribe.OpUnsub, ID: codec.IntID(2), Subjects: []string{"quotes.AAPL"}}},
		{name: "ping", frame: mp(t, m{"op": "ping", "id": 3}), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.IntID(3)}},
		{name: "ping ignores subjects", frame: mp(t, m{"op": "ping", "subjects": []string{"a"}}), want: subscribe.Op{Kind: subscribe.OpPing}},
		{name: "no id", frame: mp(t, m{"op": "sub", "subjects": []string{"a"}}), want: sub(noID, "a")},
		{name: "nil id is absent", frame: mp(t, m{"op": "sub", "id": nil, "subjects": []string{"a"}}), want: sub(noID, "a")},
		{name: "string id", frame: mp(t, m{"op": "sub", "id": "x", "subjects": []string{"a"}}), want: sub(idX, "a")},
		{name: "64-byte id", frame: mp(t, m{"op": "sub", "id": id64, "subjects": []string{"a"}}), want: sub(codec.StringID(id64), "a")},
		{name: "id of four-byte characters", frame: mp(t, m{"op": "ping", "id": "😀é"}), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.StringID("😀é")}},
		{name: "id with NUL and U+FFFD", frame: mp(t, m{"op": "ping", "id": "a\x00\ufffd"}), want: subscribe.Op{Kind: subscribe.OpPing, ID: codec.StringID("a\x00\ufffd")}},
		{name: "int8 id", frame: mp(t, m{"op": "sub", "id": int8(-5), "subjects": []string{"a"}}), want: sub(codec.IntID(-5), "a")},
		{name: "uint64 id", frame: mp(t, m{"op": "sub", "id": uint64(math.MaxInt64), "subjects": []string{"a"}}), want: sub(codec.IntID(math.MaxInt64), "a")},
		{name: "int64 id", frame: mp(t, m{"op": "sub", "id": int64(math.MinInt64), "subjects": []string{"a"}}), want: sub(codec.IntID(math.MinInt64), "a")},
		{name: "unknown keys are ignored", frame: mp(t, m{"op": "sub", "v": 2, "x": m{"y": []any{1.5, true, nil, []byte{1}}}, "subjects": []string{"a"}}), want: sub(noID, "a")},
		{name: "subjects are not validated", frame: mp(t, m{"op": "sub", "subjects": []string{"quotes..X", "\xff"}}), want: sub(noID, "quotes..X", "\xff")},
		{name: "256 subjects", frame: mp(t, subjects(256)), want: sub(id5, slices.Repeat([]string{"quotes.A"}, 256)...)},
		{name: "64 keys", frame: mp(t, keys(64)), want: subscribe.Op{Kind: subscribe.OpPing}},
		{name: "an unknown value 16 arrays deep", frame: cat([]byte{0x82}, fixstr("op"), fixstr("ping"), fixstr("x"), slices.Repeat([]byte{0x91}, 16), []byte{0x01}), want: subscribe.Op{Kind: subscribe.OpPing}},

		{name: "empty frame", frame: nil, wantErr: "empty frame"},
		{name: "array", frame: mp(t, []any{"ping"}), wantErr: "not a map"},
		{name: "string", frame: mp(t, "ping"), wantErr: "not a map"},
		{name: "never-used code", frame: []byte{0xc1}, wantErr: "not a map"},
		{name: "empty map", frame: mp(t, m{}), wantErr: `missing "op"`},
		{name: "truncated", frame: mp(t, m{"op": "ping"})[:5], wantErr: "truncated"},
		{name: "map32 declaring 2^32-1 entries", frame: []byte{0xdf, 0xff, 0xff, 0xff, 0xff}, wantErr: "truncated"},
		{name: "map16 declaring more than it holds", frame: cat([]byte{0xde, 0x00, 0x03}, fixstr("op"), fixstr("ping")), wantErr: "truncated"},
		{name: "more than 64 keys", frame: mp(t, keys(65)), wantErr: "more than 64"},
		{name: "array32 declaring 1e9 subjects",
			frame:   cat([]byte{0x82}, fixstr("op"), fixstr("sub"), fixstr("subjects"), []byte{0xdd, 0x3b, 0x9a, 0xca, 0x00}),
			wantErr: "truncated"},
		{name: "str32 declaring 4 GB", frame: cat([]byte{0x81}, fixstr("op"), []byte{0xdb, 0xff, 0xff, 0xff, 0xff}, []byte("ping")), wantErr: "truncated"},
		{name: "str32 key declaring 4 GB", frame: []byte{0x81, 0xdb, 0xff, 0xff, 0xff, 0xff, 'o', 'p'}, wantErr: "truncated"},
		{name: "bin32 declaring 4 GB in unknown key", frame: cat([]byte{0x82}, fixstr("op"), fixstr("ping"), fixstr("x"), []byte{0xc6, 0xff, 0xff, 0xff, 0xff}), wantErr: "truncated"},
		{name: "nested too deep", frame: cat([]byte{0x82}, fixstr("op"), fixstr("ping"), fixstr("x"), slices.Repeat([]byte{0x91}, 40), []byte{0x01}), wantErr: "too deep"},
		{name: "an unknown value 17 arrays deep", frame: cat([]byte{0x82}, fixstr("op"), fixstr("ping"), fixstr("x"), slices.Repeat([]byte{0x91}, 17), []byte{0x01}), wantErr: "too deep"},
		{name: "257 subjects keeps the id", frame: mp(t, subjects(257)), wantErr: "declares 257 entries, more than 256", wantID: id5},
		{name: "array32 declaring 300 real subjects",
			frame:   cat([]byte{0x83}, fixstr("op"), fixstr("sub"), fixstr("id"), []byte{0x05}, fixstr("subjects"), []byte{0xdd, 0, 0, 1, 0x2c}, slices.Repeat(fixstr("a"), 300)),
			wantErr: "declares 300 entries", wantID: id5},
		{name: "trailing byte keeps the id", frame: append(mp(t, m{"op": "ping", "id": 5}), 0xc0), wantErr: "trailing data", wantID: id5},
		{name: "second map", frame: cat(mp(t, m{"op": "ping"}), mp(t, m{"op": "ping"})), wantErr: "trailing data"},
		{name: "integer key", frame: cat([]byte{0x82}, fixstr("op"), fixstr("ping"), []byte{0x01, 0x02}), wantErr: "map key 1 is a msgpack integer, not a string"},
		{name: "missing op", frame: mp(t, m{"id": 5, "subjects": []string{"a"}}), wantErr: `missing "op"`, wantID: id5},
		{name: "keys are case-sensitive", frame: mp(t, m{"Op": "ping", "id": 5}), wantErr: `missing "op"`, wantID: id5},
		{name: "unknown op keeps the id", frame: mp(t, m{"op": "bogus", "id": 5}), wantErr: `unknown op "bogus"`, wantID: id5},
		{name: "op not a string", frame: mp(t, m{"op": 1, "id": 5}), wantErr: `"op" must be a string`, wantID: id5},
		{name: "op binary", frame: mp(t, m{"op": []byte("ping"), "id": 5}), wantErr: `"op" must be a string`, wantID: id5},
		{name: "duplicate op", frame: cat([]byte{0x83}, fixstr("op"), fixstr("ping"), fixstr("id"), []byte{0x05}, fixstr("op"), fixstr("ping")),
			wantErr: `key "op" given twice`, wantID: id5},
		{name: "duplicate id has no id", frame: cat([]byte{0x83}, fixstr("id"), []byte{0x05}, fixstr("op"), fixstr("ping"), fixstr("id"), []byte{0x05}),
			wantErr: `key "id" given twice`},
		{name: "uint64 id beyond int64", frame: mp(t, m{"op": "ping", "id": uint64(math.MaxInt64) + 1}), wantErr: "overflows"},
		{name: "float id", frame: mp(t, m{"op": "ping", "id": 1.0}), wantErr: `"id" must be an integer or a string`},
		{name: "boolean id", frame: mp(t, m{"op": "ping", "id": true}), wantErr: `"id" must be an integer or a string`},
		{name: "binary id", frame: mp(t, m{"op": "ping", "id": []byte("x")}), wantErr: `"id" must be an integer or a string`},
		{name: "65-byte id", frame: mp(t, m{"op": "ping", "id": id64 + "i"}), wantErr: "longer than 64 bytes"},
		{name: "id not UTF-8", frame: mp(t, m{"op": "ping", "id": "\xff"}), wantErr: "not valid UTF-8"},
		{name: "id with a surrogate in UTF-8 form (WTF-8)", frame: mp(t, m{"op": "ping", "id": "\xed\xa0\x80"}), wantErr: "not valid UTF-8"},
		{name: "id with an overlong encoding", frame: mp(t, m{"op": "ping", "id": "\xc0\x80"}), wantErr: "not valid UTF-8"},
		{name: "id cut inside a character", frame: mp(t, m{"op": "ping", "id": "a\xc3"}), wantErr: "not valid UTF-8"},
		{name: "id not UTF-8 on a sub has no id", frame: mp(t, m{"op": "sub", "id": "\xff", "subjects": []string{"a"}}), wantErr: "not valid UTF-8"},
		{name: "sub without subjects", frame: mp(t, m{"op": "sub", "id": 5}), wantErr: `sub without "subjects"`, wantID: id5},
		{name: "empty subjects", frame: mp(t, m{"op": "unsub", "id": 5, "subjects": []string{}}), wantErr: `unsub with empty "subjects"`, wantID: id5},
		{name: "subjects a string keeps the id", frame: mp(t, m{"op": "sub", "id": "x", "subjects": "a"}), wantErr: `"subjects" must be an array`, wantID: idX},
		{name: "subjects nil", frame: mp(t, m{"op": "sub", "subjects": nil}), wantErr: `"subjects" must be an array`},
		{name: "subject a number", frame: mp(t, m{"op": "sub", "subjects": []any{"a", 1}}), wantErr: `"subjects"[1] must be a string`},
		{name: "subject binary", frame: mp(t, m{"op": "sub", "subjects": []any{[]byte("a")}}), wantErr: `"subjects"[0] must be a string`},
	}
	runParse(t, codec.Msgpack, subscribe.Parser{}, tests)

	t.Run("custom limit", func(t *testing.T) {
		runParse(t, codec.Msgpack, subscribe.Parser{MaxSubjects: 2}, []parseCase{
			{name: "at the limit", frame: mp(t, subjects(2)), want: sub(id5, "quotes.A", "quotes.A")},
			{name: "beyond the limit", frame: mp(t, subjects(3)), wantErr: "declares 3 entries, more than 2", wantID: id5},
		})
	})
}

// TestParseMsgpackDeclaredLengthAllocatesNothing checks that a subjects array
// declared beyond the limit is refused before a slice is made for it: 65535
// strings would take 1 MiB.
func TestParseMsgpackDeclaredLengthAllocatesNothing(t *testing.T) {
	frame := cat([]byte{0x82}, fixstr("op"), fixstr("sub"), fixstr("subjects"), []byte{0xdc, 0xff, 0xff}, slices.Repeat(fixstr(""), 0xffff))
	var p subscribe.Parser
	const runs = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := p.Parse(codec.Msgpack, frame); err == nil {
			t.Fatal("accepted 65535 subjects")
		}
	}
	runtime.ReadMemStats(&after)
	if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > 4096 {
		t.Errorf("%d bytes allocated per parse, want at most 4096", perRun)
	}
}

func TestParseDispatchesOnKind(t *testing.T) {
	var p subscribe.Parser
	if op, err := p.Parse(codec.JSON, []byte(`{"op":"ping"}`)); err != nil || op.Kind != subscribe.OpPing {
		t.Errorf("JSON: %+v, %v", op, err)
	}
	if op, err := p.Parse(codec.Msgpack, mp(t, map[string]any{"op": "ping"})); err != nil || op.Kind != subscribe.OpPing {
		t.Errorf("msgpack: %+v, %v", op, err)
	}
	if _, err := p.Parse(codec.Msgpack, []byte(`{"op":"ping"}`)); err == nil {
		t.Error("msgpack parser accepts JSON")
	}
}

func TestOpKindString(t *testing.T) {
	for k, want := range map[subscribe.OpKind]string{
		subscribe.OpSub: "sub", subscribe.OpUnsub: "unsub", subscribe.OpPing: "ping", 0: "OpKind(0)", 9: "OpKind(9)",
	} {
		if got := k.String(); got != want {
			t.Errorf("OpKind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestErrorString(t *testing.T) {
	err := &subscribe.Error{Code: subscribe.CodeBadSubject, Msg: `subject "a..b": empty token`, ID: id5}
	if got, want := err.Error(), `bad_subject: subject "a..b": empty token`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
