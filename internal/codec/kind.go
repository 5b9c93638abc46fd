package codec

import "strings"

// Kind is a wire encoding a client can choose.
type Kind uint8

// The encodings of ticker.v1. The zero value is JSON, the default.
const (
	JSON    Kind = iota // text frames, messages separated by '\n'
	Msgpack             // binary frames, messages concatenated
	numKinds
)

// NumKinds is the number of encodings, for arrays indexed by Kind.
const NumKinds = int(numKinds)

// Subprotocol names a client offers in Sec-WebSocket-Protocol.
const (
	SubprotocolJSON    = "ticker.v1.json"
	SubprotocolMsgpack = "ticker.v1.msgpack"
)

// KindOf maps a negotiated subprotocol to its encoding, without regard to
// case as the WebSocket library matches it; anything else is JSON.
func KindOf(subprotocol string) Kind {
	if strings.EqualFold(subprotocol, SubprotocolMsgpack) {
		return Msgpack
	}
	return JSON
}

// String returns "json" or "msgpack"; it is used as a metric label value.
func (k Kind) String() string {
	if k == Msgpack {
		return "msgpack"
	}
	return "json"
}
