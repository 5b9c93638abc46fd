package client

import (
	"bytes"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// msgpackMsg builds a msgpack msg whose data uses the encodings a publisher
// may choose: float32 prices, small integer widths.
func msgpackMsg(t *testing.T) []byte {
	t.Helper()
	var data bytes.Buffer
	e := msgpack.NewEncoder(&data)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.EncodeMapLen(6))
	must(e.EncodeString("symbol"))
	must(e.EncodeString("AAPL"))
	must(e.EncodeString("last"))
	must(e.EncodeFloat32(189.5))
	must(e.EncodeString("bid"))
	must(e.EncodeFloat64(189.25))
	must(e.EncodeString("size"))
	must(e.EncodeInt8(100))
	must(e.EncodeString("seq"))
	must(e.EncodeUint16(300))
	must(e.EncodeString("ts"))
	must(e.EncodeInt64(1732350000123456789))
	env, err := msgpack.Marshal(map[string]any{"op": "msg", "subject": "quotes.AAPL", "data": msgpack.RawMessage(data.Bytes())})
	must(err)
	return env
}

func TestAQuoteDecodesFromEitherEncoding(t *testing.T) {
	frames := map[Codec][]byte{
		JSON: []byte(`{"op":"ack","id":1}` + "\n" +
			`{"op":"msg","subject":"quotes.AAPL","snapshot":true,"data":{"symbol":"AAPL","last":189.5,"bid":189.25,"size":100,"seq":300,"ts":1732350000123456789,"new_key":[1]}}` + "\n"),
		Msgpack: append(must(msgpack.Marshal(map[string]any{"op": "ack", "id": int8(1)})), msgpackMsg(t)...),
	}
	for k, frame := range frames {
		parts, err := splitFrame(k, frame)
		if err != nil || len(parts) != 2 {
			t.Fatalf("%s: split into %d parts, %v", k, len(parts), err)
		}
		ack, err := decodeMessage(k, parts[0])
		if id, ok := idOf(ack.ID); err != nil || ack.Op != "ack" || !ok || id != 1 {
			t.Errorf("%s: ack %+v %v", k, ack, err)
		}
		m, err := decodeMessage(k, parts[1])
		if err != nil {
			t.Fatal(err)
		}
		u := newUpdate(m, "ws://x/ws", time.Unix(0, 1732350000123456789+5e6))
		q := u.Quote
		if q == nil || q.Symbol != "AAPL" || q.Last != 189.5 || q.Bid != 189.25 || q.Size != 100 || u.Seq != 300 ||
			u.TS != 1732350000123456789 || u.Latency() != 5*time.Millisecond {
			t.Errorf("%s: decoded %+v seq %d ts %d latency %v", k, q, u.Seq, u.TS, u.Latency())
		}
	}
}

func TestOtherSubjectsKeepTheirRawData(t *testing.T) {
	m, err := decodeMessage(JSON, []byte(`{"op":"msg","subject":"news.top","data":{"title":"hi","seq":3,"ts":5}}`))
	if err != nil {
		t.Fatal(err)
	}
	u := newUpdate(m, "", time.Now())
	var v struct{ Title string }
	if u.Quote != nil || u.Score != nil || u.Seq != 3 || u.TS != 5 || u.Decode(&v) != nil || v.Title != "hi" {
		t.Errorf("update %+v, title %q", u, v.Title)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
