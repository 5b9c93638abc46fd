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
