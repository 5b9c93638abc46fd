package loadgen

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
)

var testParser = Parser{Prefix: "quotes.L", Subjects: 100}

// envelope builds a msg of subject i carrying a quote with seq and ts, in k.
func envelope(t testing.TB, k codec.Kind, subject string, seq uint64, ts int64, snapshot bool) []byte {
	t.Helper()
	data := appendQuote(nil, "L", seq, ts)
	if k == codec.JSON {
		js, _, err := codec.Transcode(nil, data)
		if err != nil {
			t.Fatal(err)
		}
		data = js
	}
	return codec.AppendMsg(k, nil, subject, data, snapshot)
}

// join builds a batched frame the way the server does.
func join(k codec.Kind, msgs ...[]byte) []byte {
	if k == codec.JSON {
		return bytes.Join(msgs, []byte{'\n'})
	}
	return bytes.Join(msgs, nil)
}

// parseAll parses every message of frame, as the connection's read loop does.
func parseAll(k codec.Kind, frame []byte) (msgs []Message, malformed int) {
	for len(frame) > 0 {
		m, rest, err := testParser.Next(k, frame)
		frame = rest
		if err != nil {
			malformed++
			continue
		}
		if m.Op != OpNone {
			msgs = append(msgs, m)
		}
	}
	return msgs, malformed
}

func TestParseFrames(t *testing.T) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		t.Run(k.String(), func(t *testing.T) {
			tests := []struct {
				name  string
				frame []byte
				want  []Message
			}{
				{"one msg", envelope(t, k, "quotes.L0007", 42, 1732350000123456789, false),
					[]Message{{Op: OpMsg, Subject: 7, Seq: 42, TS: 1732350000123456789, HasSeq: true}}},
				{"snapshot", envelope(t, k, "quotes.L0099", 1, 5, true),
					[]Message{{Op: OpMsg, Subject: 99, Snapshot: true, Seq: 1, TS: 5, HasSeq: true}}},
				{"batch", join(k,
					codec.AppendAck(k, nil, codec.IntID(1)),
					envelope(t, k, "quotes.L0000", 1, 10, true),
					envelope(t, k, "quotes.L0001", 2, 20, false),
					codec.AppendPong(k, nil, codec.StringID("p")),
				), []Message{
					{Op: OpAck, Subject: -1},
					{Op: OpMsg, Subject: 0, Snapshot: true, Seq: 1, TS: 10, HasSeq: true},
					{Op: OpMsg, Subject: 1, Seq: 2, TS: 20, HasSeq: true},
					{Op: OpPong, Subject: -1},
				}},
				{"error", codec.AppendError(k, nil, codec.IntID(3), "too_many_subscriptions", "no \"more\""),
					[]Message{{Op: OpError, Subject: -1, Code: []byte("too_many_subscriptions")}}},
				{"foreign subject", envelope(t, k, "quotes.AAPL", 3, 4, false),
					[]Message{{Op: OpMsg, Subject: -1, Seq: 3, TS: 4, HasSeq: true}}},
				{"subject beyond the count", envelope(t, k, "quotes.L0100", 3, 4, false),
					[]Message{{Op: OpMsg, Subject: -1, Seq: 3, TS: 4, HasSeq: true}}},
				{"data without seq", codec.AppendMsg(k, nil, "quotes.L0002", dataWithout(t, k), false),
					[]Message{{Op: OpMsg, Subject: 2}}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, bad := parseAll(k, tt.frame)
					if bad != 0 {
						t.Fatalf("%d malformed in %q", bad, tt.frame)
					}
					if len(got) != len(tt.want) {
						t.Fatalf("got %d messages %+v, want %+v", len(got), got, tt.want)
					}
					for i := range got {
						if !sameMessage(got[i], tt.want[i]) {
							t.Errorf("message %d: got %+v, want %+v", i, got[i], tt.want[i])
						}
					}
				})
			}
		})
	}
}

func dataWithout(t *testing.T, k codec.Kind) []byte {
	if k == codec.JSON {
		return []byte(`{"symbol":"X","nested":{"seq":1,"a":[1,{"b":"}"}]},"x":"soon"}`)
	}
	d := []byte{0x82}
	d = appendStr(d, "symbol")
	d = appendStr(d, "X")
	d = appendStr(d, "nested")
	return append(d, 0x81, 0xa3, 's', 'e', 'q', 0x01)
}

func sameMessage(a, b Message) bool {
	return a.Op == b.Op && a.Subject == b.Subject && a.Snapshot == b.Snapshot && a.Seq == b.Seq &&
		a.TS == b.TS && a.HasSeq == b.HasSeq && bytes.Equal(a.Code, b.Code)
}

func TestParseJSONLines(t *testing.T) {
	frame := []byte("\n  {\"op\":\"ack\"}\n\n{ \"subject\" : \"quotes.L0003\" , \"op\" : \"msg\" , \"data\" : { \"ts\" : -5 , \"seq\" : 9 } }  \n")
	got, bad := parseAll(codec.JSON, frame)
	if bad != 0 || len(got) != 2 || got[0].Op != OpAck ||
		!sameMessage(got[1], Message{Op: OpMsg, Subject: 3, Seq: 9, TS: -5, HasSeq: true}) {
		t.Fatalf("got %+v, %d malformed", got, bad)
	}
}

func TestParseMalformed(t *testing.T) {
	jsonBad := []string{
		`{`, `}`, `[]`, `"op"`, `{"op":"msg"}`, `{"op":1}`, `{"op":"ack",}`, `{"op":"ack"} x`,
		`{"op":"msg","subject":"quotes.L0001","data":{"seq":1.5,"ts":1}}`,
		`{"op":"msg","subject":"quotes.L0001","data":{"seq":-1,"ts":1}}`,
		`{"op":"msg","subject":"quotes.L0001","data":{"seq":99999999999999999999999,"ts":1}}`,
		`{"op":"msg","subject":"quotes.L0001","data":{"seq":1,"ts":9223372036854775808}}`,
		`{"op":"msg","subject":"quotes.L0001","snapshot":tru,"data":{}}`,
		`{"op":"ack","x":}`, `{"op":"ack","x":[}`, `{"op":"ack","x":]}`, `{"op":"ack","x":"\"}`,
		`{"op":"ack" "id":1}`, `{"op":"ack","id"1}`,
	}
	for _, s := range jsonBad {
		// Each bad line sits between good ones: only it is lost.
		frame := []byte(`{"op":"pong"}` + "\n" + s + "\n" + `{"op":"pong"}`)
		got, bad := parseAll(codec.JSON, frame)
		if bad != 1 || len(got) != 2 {
			t.Errorf("%s: got %+v, %d malformed; want 2 pongs and 1 malformed", s, got, bad)
		}
	}

	ack := codec.AppendAck(codec.Msgpack, nil, codec.IntID(1))
	full := envelope(t, codec.Msgpack, "quotes.L0001", 1, 2, false)
	msgpackBad := [][]byte{
		{0xc1}, {0x81}, {0x81, 0x01, 0x02}, {0xa2, 'o', 'p'},
		full[:len(full)-1], // truncated ts
		codec.AppendMsg(codec.Msgpack, nil, "quotes.L0001", []byte{0x81, 0xa3, 's', 'e', 'q', 0xa1, 'x'}, false),
		{0x81, 0xa2, 'o', 'p', 0xa3, 'm', 's', 'g'}, // a msg without a subject
	}
	for _, b := range msgpackBad {
		got, bad := parseAll(codec.Msgpack, append(append([]byte(nil), ack...), b...))
		if bad != 1 || len(got) != 1 || got[0].Op != OpAck {
			t.Errorf("% x: got %+v, %d malformed; want the ack and 1 malformed", b, got, bad)
		}
	}
	if _, _, err := testParser.Next(codec.Msgpack, []byte{0xc1}); !errors.Is(err, ErrMalformed) {
		t.Errorf("error %v, want ErrMalformed", err)
	}
}

func TestSubjectIndex(t *testing.T) {
	for in, want := range map[string]int{
		"quotes.L0000": 0, "quotes.L0042": 42, "quotes.L9999": 9999, "quotes.L12345": 12345,
		"quotes.L042": -1, "quotes.L00042": -1, "quotes.L": -1, "quotes.X0001": -1, "quotes.L00a1": -1,
		"quotes.L20000": -1, "quotes.L-001": -1, "": -1, "quotes.L1234567890": -1,
	} {
		if got := subjectIndex("quotes.L", 20000, []byte(in)); got != want {
			t.Errorf("subjectIndex(%q) = %d, want %d", in, got, want)
		}
	}
	for _, i := range []int{0, 7, 9999, 10000, 123456} {
		name := SubjectName("q.", i)
		if got := subjectIndex("q.", 1_000_000, []byte(name)); got != i {
			t.Errorf("%s maps back to %d", name, got)
		}
	}
}
