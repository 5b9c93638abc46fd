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
	OpAuth  = "auth" // a fresh token for the open connection

	// Server to client.
	OpAck   = "ack"
	OpError = "error"
	OpPong  = "pong"
	OpMsg   = "msg"
	// OpRevoked: patterns a new token no longer grants were removed.
	OpRevoked = "revoked"
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
	KeyToken    = "token"    // auth: the new JWT
)

// Keys of client control (issue 14), ignored by older gateways (unknown
// keys are ignored, docs/protocol.md section 3). KeyMaxRate: in a sub op the
// most updates per second per subject; in its ack the rate that took
// effect. KeyDelta: in a sub op, true asks for field deltas; in a msg, true
// marks data that holds only the fields changed since seq-1 (with seq and ts
// always).
const (
	KeyMaxRate = "max_rate"
	KeyDelta   = "delta"
)

// CodeBadToken is the error code of an auth op whose token is invalid or
// expired (subscribe.CodeBadToken on the server); the old token still
// governs.
const CodeBadToken = "bad_token"
