// Package closecode names the codes ticker ends a connection with (RFC 6455
// section 7.4), one type for every transport, so that what is counted is
// what was sent.
package closecode

import "strconv"

// Code is a WebSocket close code. An SSE stream carries the same codes in its
// final "close" event.
type Code uint16

// The codes ticker sends, and Abnormal, which it never sends: it stands for a
// peer that went away without a close.
const (
	Normal          Code = 1000 // the client or the server is done
	GoingAway       Code = 1001 // the pod drains: reconnect elsewhere
	ProtocolError   Code = 1002 // the client broke the WebSocket protocol
	Abnormal        Code = 1006 // no close frame: the peer vanished
	PolicyViolation Code = 1008 // origin, auth, abuse, or "slow consumer"
	MessageTooBig   Code = 1009 // a client frame over the read limit
	InternalError   Code = 1011 // the server failed
	TryAgainLater   Code = 1013 // a limit was reached: retry later
)

// String returns the code in decimal, the label value metrics use.
func (c Code) String() string { return strconv.Itoa(int(c)) }
