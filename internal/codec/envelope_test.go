package codec

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func TestEnvelopesDecodeToTheProtocolsMaps(t *testing.T) {
	data := map[string]any{"symbol": "AAPL", "seq": 1, "ts": 2}
	raw := mustMarshal(t, data)
	js, _, err := Transcode(nil, raw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		k    Kind
		b    []byte
		want map[string]any
	}{
		{"ack int id", JSON, AppendAck(JSON, nil, IntID(1)), map[string]any{"op": "ack", "id": 1.0}},
		{"ack no id", JSON, AppendAck(JSON, nil, ID{}), map[string]any{"op": "ack"}},
		{"pong string id", JSON, AppendPong(JSON, nil, StringID(`a"b`)), map[string]any{"op": "pong", "id": `a"b`}},
		{"error", JSON, AppendError(JSON, nil, IntID(-3), "bad_subject", `subject "x..y": empty token`),
			map[string]any{"op": "error", "id": -3.0, "code": "bad_subject", "msg": `subject "x..y": empty token`}},
		{"msg", JSON, AppendMsg(JSON, nil, "quotes.AAPL", js, false),
			map[string]any{"op": "msg", "subject": "quotes.AAPL", "data": map[string]any{"symbol": "AAPL", "seq": 1.0, "ts": 2.0}}},
		{"snapshot", JSON, AppendMsg(JSON, nil, "quotes.AAPL", js, true),
			map[string]any{"op": "msg", "subject": "quotes.AAPL", "snapshot": true, "data": map[string]any{"symbol": "AAPL", "seq": 1.0, "ts": 2.0}}},
		{"msgpack ack big id", Msgpack, AppendAck(Msgpack, nil, IntID(1<<40)), map[string]any{"op": "ack", "id": int64(1 << 40)}},
		{"msgpack error", Msgpack, AppendError(Msgpack, nil, StringID("x"), "forbidden", "no"),
			map[string]any{"op": "error", "id": "x", "code": "forbidden", "msg": "no"}},
		{"msgpack snapshot", Msgpack, AppendMsg(Msgpack, nil, "quotes.AAPL", raw, true),
			map[string]any{"op": "msg", "subject": "quotes.AAPL", "snapshot": true, "data": map[string]any{"symbol": "AAPL", "seq": int8(1), "ts": int8(2)}}},
		{"delta", JSON, AppendDeltaMsg(JSON, nil, "quotes.AAPL", js),
			map[string]any{"op": "msg", "subject": "quotes.AAPL", "delta": true, "data": map[string]any{"symbol": "AAPL", "seq": 1.0, "ts": 2.0}}},
		{"msgpack delta", Msgpack, AppendDeltaMsg(Msgpack, nil, "quotes.AAPL", raw),
			map[string]any{"op": "msg", "subject": "quotes.AAPL", "delta": true, "data": map[string]any{"symbol": "AAPL", "seq": int8(1), "ts": int8(2)}}},
		{"sub ack with rate", JSON, AppendSubAck(JSON, nil, IntID(4), 2.5), map[string]any{"op": "ack", "id": 4.0, "max_rate": 2.5}},
		{"sub ack unlimited", JSON, AppendSubAck(JSON, nil, IntID(4), 0), map[string]any{"op": "ack", "id": 4.0}},
		{"msgpack sub ack with rate", Msgpack, AppendSubAck(Msgpack, nil, ID{}, 4), map[string]any{"op": "ack", "max_rate": 4.0}},
		{"revoked", JSON, AppendRevoked(JSON, nil, IntID(7), []string{"scores.>", "quotes.A"}, "forbidden", "not granted"),
			map[string]any{"op": "revoked", "id": 7.0, "code": "forbidden", "msg": "not granted", "subjects": []any{"scores.>", "quotes.A"}}},
		{"msgpack revoked", Msgpack, AppendRevoked(Msgpack, nil, StringID("r"), []string{"scores.>"}, "forbidden", "not granted"),
			map[string]any{"op": "revoked", "id": "r", "code": "forbidden", "msg": "not granted", "subjects": []any{"scores.>"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			var err error
			if tt.k == JSON {
				err = json.Unmarshal(tt.b, &got)
			} else {
				err = msgpack.Unmarshal(tt.b, &got)
			}
			if err != nil {
				t.Fatalf("%q: %v", tt.b, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestMsgpackEnvelopeCarriesTheFeedBytesUnchanged(t *testing.T) {
	raw := mustMarshal(t, &Quote{Symbol: "AAPL", Seq: 1, TS: 2})
	env := AppendMsg(Msgpack, nil, "quotes.AAPL", raw, false)
	if got := env[len(env)-len(raw):]; string(got) != string(raw) {
		t.Fatalf("data bytes re-encoded")
	}
}
