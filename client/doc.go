// Package client is the Go client of ticker, the push service for stock
// quotes and live sports scores: it keeps a subscription to a gateway's
// ticker.v1 WebSocket (docs/protocol.md) alive and hands each update to your
// code as a typed Quote or Score.
//
// # The model
//
// A Client holds a set of subject patterns ("quotes.AAPL", "scores.nba.*")
// and one connection at a time. Run connects to the first of
// Options.URLs, subscribes every held pattern, and serves the connection;
// when it ends, Run waits and connects again, to the next URL, and
// subscribes everything again. Each sub replays the last value of every
// matching subject as a snapshot (Update.Snapshot), so after a reconnect
// the client is current as soon as the snapshots have arrived.
//
// Subscribe and Unsubscribe may be called at any time, before Run too. A
// pattern that breaks the subject rules is refused at once; one the server
// refuses (forbidden, too_many_subscriptions) is reported as an Event with
// State Refused and dropped. A sub refused as rate_limited is sent again a
// second later.
//
// # Updates and a slow consumer
//
// The connection's reader never waits for your code. It puts each update in
// a mailbox; one goroutine of the client takes them out in order and calls
// Options.OnUpdate, then Options.OnEvent for state changes, in the order
// they happened. While OnUpdate is busy, what arrives waits there,
// conflated per subject: a newer update of a subject replaces the one
// waiting, in its place (Update.Conflated says how many it replaced). Every
// update is full state, so a slow consumer sees fewer updates, each of them
// current, and the gateway never sees a slow reader. At most
// Options.MaxPending subjects wait at once; an update for one more is
// dropped and counted in Stats.Dropped. Either way the next update the
// consumer gets of that subject shows the skipped seq numbers in
// Update.Gap, as does an update conflated by the server or missed while
// reconnecting.
//
// # Reconnecting
//
// Waits follow the close code, as ticker.js does (see Backoff): after 1001
// (the pod drains) within a second; after 1013 with the gateway's hint
// ("retry after 2500ms", or Retry-After on an HTTP 503 or 429) a random
// time up to the hint; after 1008 (slow consumer, rate limit, idle) and a
// 1013 without a hint at least 5 s; otherwise exponential backoff with full
// jitter, reset once a connection has stayed open for 10 s. After 1001 and
// 1013 the next attempt goes to one of the other URLs at random, otherwise
// to the next in turn. A refusal that reconnecting cannot mend ends
// Run with a *CloseError: a missing or invalid token, an origin not
// allowed, and an expired token unless Options.TokenFunc can fetch a fresh
// one; TokenFunc is called before every attempt.
//
// # Client control
//
// SubscribeWith asks the gateway for at most SubscribeOptions.MaxRate
// updates per second per subject, and for field deltas (Delta). The client
// merges each delta onto the last full update it holds of the subject and
// hands OnUpdate the merged, whole update (Update.Delta is true). A delta
// that does not follow (its seq is not the last seq + 1, or no full update
// is held) is never merged: a Resync event carries a *DeltaError, the client
// drops its copy of the subject and subscribes its patterns again for a
// snapshot. With TokenFunc, a fresh token is sent on the open connection
// ahead of the old one's exp ({"op":"auth"}; events TokenRefreshed and
// TokenRefused); patterns the new token no longer grants come back as a
// Revoked event and are no longer held. Gateways without these features
// ignore the keys and send every update whole.
//
// # States
//
// Options.OnEvent sees each connection go Connecting, Open, Subscribed
// (everything held is in effect and its snapshots were delivered) and
// Closed (with the code, the reason and the wait before the next attempt;
// Final when there is none). Refused, Resync, Revoked, TokenRefreshed and
// TokenRefused report what happened on an open connection.
//
// # Low level
//
// Dial opens a single connection without any of this: Conn sends ops and
// returns the server's messages one by one, for tools and tests that speak
// the protocol directly.
package client
