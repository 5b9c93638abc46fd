// Package protocol names what ticker.v1 puts on the wire, for the Go
// programs that speak it as clients: the public client
// (github.com/ticker-dev/ticker/client) and the load generator
// (internal/loadgen). It is constants only and imports nothing, so the
// load generator's allocation-free parser can switch on them without
// depending on the client.
//
// The subprotocol names live beside the encodings, as
// codec.SubprotocolJSON and codec.SubprotocolMsgpack; the error codes beside
// the rules that produce them, as subscribe.CodeBadRequest and its siblings.
package protocol

// Op names: the value of the "op" key of every message.
const (
	// Client to server.
	OpSub   = "sub"
	OpUnsub = "unsub"
	OpPing  = "ping"

	// Server to client.
	OpAck   = "ack"
	OpError = "error"
	OpPong  = "pong"
	OpMsg   = "msg"
)

// Keys of the messages, in both encodings.
const (
	KeyOp       = "op"
	KeyID       = "id"
	KeySubjects = "subjects" // sub and unsub: the patterns
	KeySubject  = "subject"  // msg: the concrete subject
	KeyData     = "data"     // msg: the update
	KeySnapshot = "snapshot" // msg: true on a replayed last value
	KeyCode     = "code"     // error: the error code
	KeyMsg      = "msg"      // error: the human-readable text
)

// Keys of a sub op that today's gateway ignores (unknown keys are ignored,
// docs/protocol.md section 3) and a gateway of the client-control issue will
// read: the most updates per second per subject, and field deltas.
const (
	KeyMaxRate = "max_rate"
	KeyDelta   = "delta"
)
