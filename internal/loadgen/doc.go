// Package loadgen is ticker's load generator: it opens many ticker.v1
// subscribers on the local machine, publishes quotes to NATS at a set rate,
// and measures what arrives: end-to-end latency, delivered against expected,
// conflated, lost and duplicated updates, disconnects by close code,
// reconnects after a 1001 (a draining pod), and the server's CPU and memory
// per delivery from its /metrics.
//
// Run puts a load together from its subpackages, each of which imports only
// those listed before it:
//
//   - wire reads the server's frames without allocating ([wire.Parser]), so
//     that one core can check hundreds of thousands of deliveries a second;
//   - report is what a run measured and how it is shown, merged over
//     processes, with the servers' costs scraped from their /metrics;
//   - publish publishes the quote updates at the set rate;
//   - fleet holds the subscriber connections of one process.
//
// With Config.Procs above 1, child processes hold the connections (RunChild),
// each a fleet of its own, and talk to the parent in lines of JSON.
package loadgen
