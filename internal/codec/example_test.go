package codec_test

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// A feed update arrives as msgpack; the gateway transcodes it to JSON once and
// wraps it in one envelope per codec, shared by every subscriber.
func ExampleTranscode() {
	payload, _ := msgpack.Marshal(&codec.Quote{Symbol: "AAPL", Bid: 189.12, Ask: 189.14, Last: 189.13, Size: 100, Volume: 1234567, Seq: 42, TS: 1732350000123456789})
	data, header, err := codec.Transcode(nil, payload)
	if err != nil {
		panic(err)
	}
	fmt.Println(header.Seq)
	fmt.Printf("%s\n", codec.AppendMsg(codec.JSON, nil, "quotes.AAPL", data, false))
	// Output:
	// 42
	// {"op":"msg","subject":"quotes.AAPL","data":{"symbol":"AAPL","bid":189.12,"ask":189.14,"last":189.13,"size":100,"volume":1234567,"seq":42,"ts":1732350000123456789}}
}

func ExampleAppendError() {
	fmt.Printf("%s\n", codec.AppendError(codec.JSON, nil, codec.IntID(1), "bad_subject", `subject "quotes..X": empty token`))
	// Output:
	// {"op":"error","id":1,"code":"bad_subject","msg":"subject \"quotes..X\": empty token"}
}

// A delta holds only the fields that changed, with seq and ts: here a score
// update that moves the home score and the clock, and a quote whose last trade
// moved. The sizes are those of the whole message and of the delta one, in
// both encodings (docs/performance.md quotes them).
func ExampleAppendDelta() {
	prev, _ := msgpack.Marshal(&codec.Score{League: "nba", Game: "g0042", Home: "BOS", Away: "LAL", HomeScore: 86, AwayScore: 85, Period: 4, Clock: "02:48", Status: "live", Seq: 16, TS: 1732350000023456789})
	next, _ := msgpack.Marshal(&codec.Score{League: "nba", Game: "g0042", Home: "BOS", Away: "LAL", HomeScore: 88, AwayScore: 85, Period: 4, Clock: "02:31", Status: "live", Seq: 17, TS: 1732350000123456789})
	delta, ok := codec.AppendDelta(nil, prev, next)
	if !ok {
		panic("no delta")
	}
	whole, _, _ := codec.Transcode(nil, next)
	djs, _, _ := codec.Transcode(nil, delta)
	fmt.Printf("%s\n", codec.AppendDeltaMsg(codec.JSON, nil, "scores.nba.g0042", djs))
	sizes := func(subject string, whole, delta, wholeMP, deltaMP []byte) {
		fmt.Printf("%s: JSON %d -> %d bytes, msgpack %d -> %d bytes\n", subject,
			len(codec.AppendMsg(codec.JSON, nil, subject, whole, false)), len(codec.AppendDeltaMsg(codec.JSON, nil, subject, delta)),
			len(codec.AppendMsg(codec.Msgpack, nil, subject, wholeMP, false)), len(codec.AppendDeltaMsg(codec.Msgpack, nil, subject, deltaMP)))
	}
	sizes("scores.nba.g0042", whole, djs, next, delta)

	qprev, _ := msgpack.Marshal(&codec.Quote{Symbol: "AAPL", Bid: 189.12, Ask: 189.14, Last: 189.13, Size: 100, Volume: 1234567, Seq: 42, TS: 1732350000023456789})
	qnext, _ := msgpack.Marshal(&codec.Quote{Symbol: "AAPL", Bid: 189.12, Ask: 189.14, Last: 189.14, Size: 100, Volume: 1234667, Seq: 43, TS: 1732350000123456789})
	qdelta, _ := codec.AppendDelta(nil, qprev, qnext)
	qwhole, _, _ := codec.Transcode(nil, qnext)
	qdjs, _, _ := codec.Transcode(nil, qdelta)
	sizes("quotes.AAPL", qwhole, qdjs, qnext, qdelta)
	// Output:
	// {"op":"msg","subject":"scores.nba.g0042","delta":true,"data":{"home_score":88,"clock":"02:31","seq":17,"ts":1732350000123456789}}
	// scores.nba.g0042: JSON 215 -> 129 bytes, msgpack 160 -> 95 bytes
	// quotes.AAPL: JSON 163 -> 123 bytes, msgpack 141 -> 96 bytes
}
