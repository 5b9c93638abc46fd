// Package rawserver is a minimal reference fan-out server speaking ticker.v1
// on plain github.com/coder/websocket: the naive but reasonable baseline that
// ticker is measured against.
//
// It subscribes each distinct subject once to NATS, encodes each update once
// per codec, and hands the same bytes to every subscriber's buffered channel;
// one writer goroutine per connection writes one frame per message (no
// batching, no conflation, no snapshots). A subscriber whose channel is full
// is closed with 1008 "slow consumer".
package rawserver
