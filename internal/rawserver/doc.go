// Package rawserver is a minimal reference fan-out server speaking ticker.v1
// on plain github.com/coder/websocket: the naive but reasonable baseline that
// ticker is measured against.
//
// It subscribes each distinct subject once to NATS, encodes each update once
// per codec, and hands the same bytes to every subscriber's buffered channel;
// one writer goroutine per connection writes one frame per message (no
// batching, no conflation, no snapshots). A subscriber whose channel is full
// is closed with 1008 "slow consumer".
//
// Ops are read by the gateway's own parser (internal/subscribe), so ids,
// error replies and frame types follow ticker.v1 as the gateway does; a
// subject is checked only for its form (bad_subject). There is no allow
// list, subscription limit, rate limit or auth.
package rawserver
