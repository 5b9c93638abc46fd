package wire_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/wire"
	"github.com/ticker-dev/ticker/internal/loadgen/wire/wiretest"
)

var testParser = wire.Parser{Prefix: "quotes.L", Subjects: 100}

// parseAll parses every message of frame, as the connection's read loop does.
func parseAll(k codec.Kind, frame []byte) (msgs []wire.Message, malformed int) {
	for len(frame) > 0 {
		m, rest, err := testParser.Next(k, frame)
		frame = rest
		if err != nil {
			malformed++
			continue
		}
		if m.Op != wire.OpNone {
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
				want  []wire.Message
			}{
				{"one msg", wiretest.Msg(t, k, "quotes.L0007", 42, 1732350000123456789, false),
					[]wire.Message{{Op: wire.OpMsg, Subject: 7, Seq: 42, TS: 1732350000123456789, HasSeq: true}}},
				{"snapshot", wiretest.Msg(t, k, "quotes.L0099", 1, 5, true),
					[]wire.Message{{Op: wire.OpMsg, Subject: 99, Snapshot: true, Seq: 1, TS: 5, HasSeq: true}}},
				{"batch", wiretest.Frame(k,
					codec.AppendAck(k, nil, codec.IntID(1)),
					wiretest.Msg(t, k, "quotes.L0000", 1, 10, true),
					wiretest.Msg(t, k, "quotes.L0001", 2, 20, false),
					codec.AppendPong(k, nil, codec.StringID("p")),
				), []wire.Message{
					{Op: wire.OpAck, Subject: -1},
					{Op: wire.OpMsg, Subject: 0, Snapshot: true, Seq: 1, TS: 10, HasSeq: true},
					{Op: wire.OpMsg, Subject: 1, Seq: 2, TS: 20, HasSeq: true},
					{Op: wire.OpPong, Subject: -1},
				}},
				{"delta", wiretest.DeltaMsg(t, k, "quotes.L0003", 43, 77),
					[]wire.Message{{Op: wire.OpMsg, Subject: 3, Delta: true, Seq: 43, TS: 77, HasSeq: true}}},
				{"revoked", codec.AppendRevoked(k, nil, codec.IntID(7), []string{"quotes.>"}, "forbidden", "not granted"),
					[]wire.Message{{Op: wire.OpRevoked, Subject: -1, Code: []byte("forbidden")}}},
				{"error", codec.AppendError(k, nil, codec.IntID(3), "too_many_subscriptions", "no \"more\""),
					[]wire.Message{{Op: wire.OpError, Subject: -1, Code: []byte("too_many_subscriptions")}}},
				{"foreign subject", wiretest.Msg(t, k, "quotes.AAPL", 3, 4, false),
					[]wire.Message{{Op: wire.OpMsg, Subject: -1, Seq: 3, TS: 4, HasSeq: true}}},
				{"subject beyond the count", wiretest.Msg(t, k, "quotes.L0100", 3, 4, false),
					[]wire.Message{{Op: wire.OpMsg, Subject: -1, Seq: 3, TS: 4, HasSeq: true}}},
				{"data without seq", codec.AppendMsg(k, nil, "quotes.L0002", dataWithout(t, k), false),
					[]wire.Message{{Op: wire.OpMsg, Subject: 2}}},
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
	d := []byte{0x82, 0xa6, 's', 'y', 'm', 'b', 'o', 'l', 0xa1, 'X', 0xa6, 'n', 'e', 's', 't', 'e', 'd'}
	return append(d, 0x81, 0xa3, 's', 'e', 'q', 0x01)
}

func sameMessage(a, b wire.Message) bool {
	return a.Op == b.Op && a.Subject == b.Subject && a.Snapshot == b.Snapshot && a.Seq == b.Seq &&
		a.TS == b.TS && a.HasSeq == b.HasSeq && bytes.Equal(a.Code, b.Code)
}

func TestParseJSONLines(t *testing.T) {
	frame := []byte("\n  {\"op\":\"ack\"}\n\n{ \"subject\" : \"quotes.L0003\" , \"op\" : \"msg\" , \"data\" : { \"ts\" : -5 , \"seq\" : 9 } }  \n")
	got, bad := parseAll(codec.JSON, frame)
	if bad != 0 || len(got) != 2 || got[0].Op != wire.OpAck ||
		!sameMessage(got[1], wire.Message{Op: wire.OpMsg, Subject: 3, Seq: 9, TS: -5, HasSeq: true}) {
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
	full := wiretest.Msg(t, codec.Msgpack, "quotes.L0001", 1, 2, false)
	msgpackBad := [][]byte{
		{0xc1}, {0x81}, {0x81, 0x01, 0x02}, {0xa2, 'o', 'p'},
		full[:len(full)-1], // truncated ts
		codec.AppendMsg(codec.Msgpack, nil, "quotes.L0001", []byte{0x81, 0xa3, 's', 'e', 'q', 0xa1, 'x'}, false),
		{0x81, 0xa2, 'o', 'p', 0xa3, 'm', 's', 'g'}, // a msg without a subject
	}
	for _, b := range msgpackBad {
		got, bad := parseAll(codec.Msgpack, append(append([]byte(nil), ack...), b...))
		if bad != 1 || len(got) != 1 || got[0].Op != wire.OpAck {
			t.Errorf("% x: got %+v, %d malformed; want the ack and 1 malformed", b, got, bad)
		}
	}
	if _, _, err := testParser.Next(codec.Msgpack, []byte{0xc1}); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("error %v, want ErrMalformed", err)
	}
}
