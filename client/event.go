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

	// The states below report something on an open connection; they do not
	// change it.

	// Resync: a delta of Subject could not be applied (Err is a
	// *DeltaError). Nothing wrong was delivered: the client dropped its copy
	// of the subject and subscribed the matching patterns again for a
	// snapshot; the subject's deltas are dropped until it comes.
	Resync
	// Revoked: a token refresh removed Patterns, which the new token does not
	// grant (Err is a *ServerError, code forbidden). They are no longer held:
	// no update of theirs follows and they are not subscribed again.
	Revoked
	// TokenRefreshed: the gateway accepted the token from Options.TokenFunc
	// sent on the open connection; its expiry governs from now on.
	TokenRefreshed
	// TokenRefused: a token refresh failed: TokenFunc returned an error, or
	// the gateway refused the token (Err is a *ServerError with code
	// CodeBadToken). The old token governs until its expiry; when RetryIn is
	// set the client tries again after it, otherwise it stops refreshing on
	// this connection (a gateway without auth, or one too old for the auth
	// op) and relies on reconnecting with a fresh token.
	TokenRefused
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
	case Resync:
		return "resync"
	case Revoked:
		return "revoked"
	case TokenRefreshed:
		return "token_refreshed"
	case TokenRefused:
		return "token_refused"
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
	Patterns []string // Subscribed: every pattern held; Refused, Revoked: those refused or revoked
	Subject  string   // Resync: the subject whose delta failed

	Code    int           // Closed: the close code (StatusAbnormal when the attempt failed or no close frame came; StatusTryAgainLater for an HTTP 503 or 429 refusal with Retry-After)
	Reason  string        // Closed: the close reason, or what failed
	RetryIn time.Duration // Closed, unless Final, and TokenRefused: the wait before the next attempt
	// RetryHint is, on Closed with code 1013, the server's hint of when to
	// come back ("retry after <N>ms", or an HTTP refusal's Retry-After):
	// RetryIn was drawn from [0, max(RetryHint, the backoff's ceiling)]
	// (see Backoff); 0 without one.
	RetryHint time.Duration
	Final     bool  // Closed: the client does not reconnect; Run returns Err
	Err       error // Closed: a *CloseError or what failed; Refused, Revoked, TokenRefused: a *ServerError (or TokenFunc's error); Resync: a *DeltaError
}
