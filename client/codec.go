package client

import "fmt"

// Codec is the encoding of a connection: JSON text frames or msgpack binary
// frames. The zero value is JSON.
type Codec uint8

// The encodings of ticker.v1.
const (
	JSON    Codec = iota // subprotocol ticker.v1.json: text frames, messages separated by '\n'
	Msgpack              // subprotocol ticker.v1.msgpack: binary frames, maps concatenated
)

// The subprotocol names a client offers in Sec-WebSocket-Protocol.
const (
	SubprotocolJSON    = "ticker.v1.json"
	SubprotocolMsgpack = "ticker.v1.msgpack"
)

// String returns "json" or "msgpack".
func (c Codec) String() string {
	if c == Msgpack {
		return "msgpack"
	}
	return "json"
}

// Subprotocol returns the subprotocol that asks for c.
func (c Codec) Subprotocol() string {
	if c == Msgpack {
		return SubprotocolMsgpack
	}
	return SubprotocolJSON
}

// ParseCodec maps "json" or "msgpack" to its Codec.
func ParseCodec(s string) (Codec, error) {
	switch s {
	case "json", "":
		return JSON, nil
	case "msgpack":
		return Msgpack, nil
	}
	return JSON, fmt.Errorf("unknown codec %q: want json or msgpack", s)
}

// codecOf maps the subprotocol the server agreed to its Codec: the server
// decides, and without a subprotocol in its reply the wire is JSON.
func codecOf(subprotocol string) Codec {
	if subprotocol == SubprotocolMsgpack {
		return Msgpack
	}
	return JSON
}
