// Package loadgen is ticker's load generator: it opens many ticker.v1
// subscribers on the local machine, publishes quotes to NATS at a set rate,
// and measures what arrives: end-to-end latency, delivered against expected,
// conflated, lost and duplicated updates, disconnects by close code,
// reconnects after a 1001 (a draining pod), and the server's CPU and memory
// per delivery from its /metrics.
//
// The receive path reads every frame into a reusable buffer and parses it
// without allocating ([wire.Parser]), so that one core can check hundreds of
// thousands of deliveries a second.
package loadgen
