package client

import "time"

// State is what an Event reports.
type State uint8

// The states of a client, in the order a connection goes through them. A
// connection that fails goes from Connecting straight to Closed.
const (
	// Connecting: an attempt to URL starts (the token is fetched first).
	Connecting State = iota + 1
	// Open: the WebSocket is open; the held patterns are being subscribed.
	Open
	// Subscribed: every held pattern is in effect on this connection and the
	// snapshots of its subscriptions have been delivered (each sub is
	// followed by a ping, whose pong comes after them).
	Subscribed
	// Refused: the server refused a subscription (Err is a *ServerError
	// naming its patterns); it is dropped, the connection stays open.
	Refused
	// Closed: the connection ended, or the attempt failed (Code, Reason,
	// Err). Unless Final, the next attempt starts after RetryIn.
	Closed
)

// String returns the state's name in lower case, as ticker.js spells it.
func (s State) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Open:
		return "open"
	case Subscribed:
		return "subscribed"
	case Refused:
		return "refused"
	case Closed:
		return "closed"
	}
	return "unknown"
}

// Event is a change of the connection's state, as Options.OnEvent gets it.
type Event struct {
	State State
	URL   string // the gateway of this connection or attempt
	// Attempt counts the connections that failed since the last one that
	// stayed open long enough (Backoff.StableAfter); 0 on a healthy start.
	Attempt int

	Codec    Codec    // Open and after: the encoding the server agreed
	Patterns []string // Subscribed: every pattern held; Refused: those refused

	Code    int           // Closed: the close code (StatusAbnormal when the attempt failed or no close frame came)
	Reason  string        // Closed: the close reason, or what failed
	RetryIn time.Duration // Closed, unless Final: the wait before the next attempt
	Final   bool          // Closed: the client does not reconnect; Run returns Err
	Err     error         // Closed: a *CloseError or what failed; Refused: a *ServerError
}
