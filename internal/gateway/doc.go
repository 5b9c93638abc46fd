// Package gateway is ticker's HTTP face: ticker.v1 over WebSocket (/ws) and
// server-sent events (/sse), the health and metrics endpoints, and the drain
// on shutdown.
//
// Every client connection, whatever carries it, takes the same way: admit
// (admission.go) checks draining, origin, token and limits and hands out a
// conn holding a slot; run (lifecycle.go) counts it open, registers it for
// the drain, arms its token expiry, runs its transport, detaches it from the
// fanout core, counts the close code sent, and releases the slot. A
// transport (session.go for WebSocket, ssestream.go for SSE) brings only its
// handshake, its loop, its writes and its goodbye.
package gateway
