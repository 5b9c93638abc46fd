package subscribe_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"op":"sub","id":1,"subjects":["quotes.AAPL","scores.nba.*"]}`,
		`{"op":"unsub","id":"abc","subjects":["quotes.AAPL"]}`,
		`{"op":"ping","id":3}`,
		`{"op":"ping","id":null,"x":[1,{"y":2}]}`,
		`{"op":"bogus","id":5}`,
		`{"op":"sub","id":"x","subjects":"a"}`,
		`{"op":"sub","id":1e3,"subjects":["a"]}`,
		`{"op":"sub","id":9223372036854775808}`,
		`{"id":1,"op":"ping","id":2}`,
		`{"op":"ping"} x`,
		`{"op":"sub","subjects":["a",null]}`,
		`{"\u006fp":"ping","id":"\ud800"}`,
		`{"op":"ping","id":"\ud83d\ude00\\ud800\u00e9"}`,
		`{"op":"ping","id":"\udbff\udfff\ud800\udc00"}`,
		`{"op":"ping","id":-0}`,
		`{"op":"sub","id":1,"subjects":["quotes.>"],"max_rate":2,"delta":true}`,
		`{"op":"sub","subjects":["a"],"max_rate":1e3}`,
		`{"op":"sub","subjects":["a"],"max_rate":-1}`,
		`{"op":"sub","subjects":["a"],"max_rate":"2"}`,
		`{"op":"sub","subjects":["a"],"delta":1}`,
		`{"op":"auth","id":7,"token":"a.b.c"}`,
		`{"op":"auth","id":7,"token":7}`,
		`{"op":"auth","id":7}`,
		`[]`, `{}`, ``, `{"op":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		var p subscribe.Parser
		op, err := p.Parse(codec.JSON, frame)
		if err != nil {
			checkParseError(t, err)
			return
		}
		checkOp(t, op, -1)
		checkEchoJSON(t, frame, op.ID)
		again, err := p.Parse(codec.JSON, encodeJSON(t, op))
		if err != nil || !sameOp(op, again) {
			t.Fatalf("round trip of %+v gives %+v, %v", op, again, err)
		}
	})
}

func FuzzParseMsgpack(f *testing.F) {
	type m = map[string]any
	for _, v := range []any{
		m{"op": "sub", "id": 1, "subjects": []string{"quotes.AAPL", "scores.nba.*"}},
		m{"op": "unsub", "id": "abc", "subjects": []string{"quotes.AAPL"}},
		m{"op": "ping", "id": uint64(1) << 63},
		m{"op": "ping", "id": nil, "x": []any{1.5, m{"y": []byte{1}}}},
		m{"op": "bogus", "id": 5},
		m{"op": "sub", "id": "x", "subjects": "a"},
		m{"op": "sub", "subjects": manyAny(257)},
		m{"op": "sub", "id": 1, "subjects": []string{"quotes.>"}, "max_rate": 2, "delta": true},
		m{"op": "sub", "subjects": []string{"a"}, "max_rate": 0.5},
		m{"op": "sub", "subjects": []string{"a"}, "max_rate": float32(2.5)},
		m{"op": "sub", "subjects": []string{"a"}, "max_rate": uint64(1) << 63},
		m{"op": "sub", "subjects": []string{"a"}, "delta": "yes"},
		m{"op": "auth", "id": 7, "token": "a.b.c"},
		m{"op": "auth", "id": 7, "token": []byte("a.b.c")},
		[]any{"ping"},
		m{},
	} {
		b, err := msgpack.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, b := range [][]byte{
		{0xdf, 0xff, 0xff, 0xff, 0xff},
		cat([]byte{0x82}, fixstr("op"), fixstr("sub"), fixstr("subjects"), []byte{0xdd, 0x3b, 0x9a, 0xca, 0x00}),
		cat([]byte{0x81}, fixstr("op"), []byte{0xdb, 0xff, 0xff, 0xff, 0xff}),
		cat([]byte{0x82}, fixstr("op"), fixstr("ping"), []byte{0x01, 0x02}),
		{0xc1}, {},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		p := subscribe.Parser{MaxSubjects: 8}
		op, err := p.Parse(codec.Msgpack, frame)
		if err != nil {
			checkParseError(t, err)
			return
		}
		checkOp(t, op, p.MaxSubjects)
		b, merr := msgpack.Marshal(wireOp(t, op))
		if merr != nil {
			t.Fatal(merr)
		}
		again, err := p.Parse(codec.Msgpack, b)
		if err != nil || !sameOp(op, again) {
			t.Fatalf("round trip of %+v gives %+v, %v", op, again, err)
		}
	})
}

func checkParseError(t *testing.T, err *subscribe.Error) {
	t.Helper()
	if err.Code != subscribe.CodeBadRequest || err.Msg == "" {
		t.Fatalf("error %+v, want bad_request with a message", err)
	}
	checkID(t, err.ID)
}

// checkOp checks the invariants of a parsed op; limit < 0 means no limit.
func checkOp(t *testing.T, op subscribe.Op, limit int) {
	t.Helper()
	checkID(t, op.ID)
	switch op.Kind {
	case subscribe.OpPing, subscribe.OpAuth:
		if op.Subjects != nil {
			t.Fatalf("ping with subjects %q", op.Subjects)
		}
	case subscribe.OpSub, subscribe.OpUnsub:
		if len(op.Subjects) == 0 || (limit >= 0 && len(op.Subjects) > limit) {
			t.Fatalf("%s with %d subjects", op.Kind, len(op.Subjects))
		}
	default:
		t.Fatalf("op kind %d", op.Kind)
	}
	if op.MaxRate < 0 || op.MaxRate > subscribe.MaxRate || op.MaxRate != op.MaxRate {
		t.Fatalf("max_rate %v", op.MaxRate)
	}
	if len(op.Token) > subscribe.MaxTokenLen || (op.Kind == subscribe.OpAuth && op.Token == "") {
		t.Fatalf("%s with a token of %d bytes", op.Kind, len(op.Token))
	}
}

func checkID(t *testing.T, id codec.ID) {
	t.Helper()
	if s, ok := idValue(t, id).(string); ok && (len(s) > codec.MaxIDLen || !utf8.ValidString(s)) {
		t.Fatalf("string id %q", s)
	}
}

// idValue is what id carries, read back from a msgpack reply, which keeps a
// string's bytes as they are: nil, an int64 or a string.
func idValue(t *testing.T, id codec.ID) any {
	t.Helper()
	dec := msgpack.NewDecoder(bytes.NewReader(codec.AppendPong(codec.Msgpack, nil, id)))
	dec.UseLooseInterfaceDecoding(true)
	var reply map[string]any
	if err := dec.Decode(&reply); err != nil {
		t.Fatalf("reply with id %s: %v", id, err)
	}
	return reply["id"]
}

// checkEchoJSON checks that the reply to a JSON op carries its id exactly as
// sent, as a JavaScript client compares it: the same number, or the same
// UTF-16 code units once JSON.parse has decoded the escapes.
func checkEchoJSON(t *testing.T, frame []byte, id codec.ID) {
	t.Helper()
	sent, echoed := topLevel(t, frame, "id"), topLevel(t, codec.AppendPong(codec.JSON, nil, id), "id")
	if sent == nil || sent[0] == 'n' {
		if echoed != nil {
			t.Fatalf("frame %q without an id gets one echoed: %s", frame, echoed)
		}
		return
	}
	if sent[0] != '"' {
		if string(echoed) != string(sent) && !(string(sent) == "-0" && string(echoed) == "0") {
			t.Fatalf("id %s echoed as %s", sent, echoed)
		}
		return
	}
	if a, b := jsonUnits(sent), jsonUnits(echoed); !slices.Equal(a, b) {
		t.Fatalf("id %s echoed as %s: UTF-16 %x, want %x", sent, echoed, b, a)
	}
}

// topLevel returns the raw value of key in the JSON object data, or nil.
func topLevel(t *testing.T, data []byte, key string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%q: %v", data, err)
	}
	return m[key]
}

// jsonUnits decodes a JSON string token into UTF-16 code units the way
// JavaScript's JSON.parse does, keeping lone surrogates as they are.
func jsonUnits(raw []byte) []uint16 {
	var out []uint16
	s := string(raw[1 : len(raw)-1])
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			r, size := utf8.DecodeRuneInString(s[i:])
			out = utf16.AppendRune(out, r)
			i += size
			continue
		}
		switch c := s[i+1]; c {
		case 'u':
			n, _ := strconv.ParseUint(s[i+2:i+6], 16, 16)
			out = append(out, uint16(n))
			i += 6
			continue
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default: // " \ /
			out = append(out, uint16(c))
		}
		i += 2
	}
	return out
}

// wireOp is op as the map a client would send.
func wireOp(t *testing.T, op subscribe.Op) map[string]any {
	w := map[string]any{"op": op.Kind.String()}
	if v := idValue(t, op.ID); v != nil {
		w["id"] = v
	}
	if op.Subjects != nil {
		w["subjects"] = op.Subjects
	}
	if op.MaxRate != 0 {
		w["max_rate"] = op.MaxRate
	}
	if op.Delta {
		w["delta"] = true
	}
	if op.Token != "" {
		w["token"] = op.Token
	}
	return w
}

func encodeJSON(t *testing.T, op subscribe.Op) []byte {
	b, err := json.Marshal(wireOp(t, op))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameOp(a, b subscribe.Op) bool {
	return a.Kind == b.Kind && a.ID == b.ID && slices.Equal(a.Subjects, b.Subjects) &&
		a.MaxRate == b.MaxRate && a.Delta == b.Delta && a.Token == b.Token
}

func FuzzMatch(f *testing.F) {
	for _, tt := range matchTests {
		f.Add(tt.pattern, tt.subject)
	}
	f.Add("a.*.>", "a.b.c.d")
	f.Add("\x00\x05\x06", "\x01\x02")
	f.Fuzz(func(t *testing.T, pattern, subject string) {
		if subscribe.ValidatePattern(pattern) != nil {
			pattern = genTokens(pattern, true)
		}
		if subscribe.ValidateSubject(subject) != nil {
			subject = genTokens(subject, false)
		}
		if subscribe.ValidatePattern(pattern) != nil || subscribe.ValidateSubject(subject) != nil {
			t.Fatalf("generated invalid input %q, %q", pattern, subject)
		}
		match := subscribe.Match(pattern, subject)
		if want := refMatch(pattern, subject); match != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, subject, match, want)
		}

		// Permits agrees with Match on a concrete subject, and never lets a
		// client pattern reach a subject no allowed pattern matches.
		allow, err := subscribe.NewAllow([]string{pattern})
		if err != nil {
			t.Fatal(err)
		}
		if got := allow.Permits(subject); got != match {
			t.Fatalf("Allow[%q].Permits(%q) = %v, Match says %v", pattern, subject, got, match)
		}
		client := genTokens(subject, true)
		if allow.Permits(client) && subscribe.Match(client, subject) && !match {
			t.Fatalf("Allow[%q] permits %q, which matches %q", pattern, client, subject)
		}
	})
}

// genTokens turns any string into a valid subject or pattern over a small
// alphabet, so that matches are likely: one token per byte.
func genTokens(s string, wildcards bool) string {
	alphabet := []string{"a", "b", "ab", "A", "a-1", "_"}
	if wildcards {
		alphabet = append(alphabet, "*", "*")
	}
	var toks []string
	for i := 0; i < len(s) && len(toks) < subscribe.MaxTokens; i++ {
		toks = append(toks, alphabet[int(s[i])%len(alphabet)])
	}
	if len(toks) == 0 {
		toks = []string{"a"}
	}
	if wildcards && len(s) > 0 && s[len(s)-1]%3 == 0 {
		toks[len(toks)-1] = ">"
	}
	return strings.Join(toks, ".")
}

// refMatch is the obvious matcher, to check Match against.
func refMatch(pattern, subject string) bool {
	pt, st := strings.Split(pattern, "."), strings.Split(subject, ".")
	for i, tok := range pt {
		if tok == ">" {
			return len(st) > i
		}
		if i >= len(st) || (tok != "*" && tok != st[i]) {
			return false
		}
	}
	return len(pt) == len(st)
}
