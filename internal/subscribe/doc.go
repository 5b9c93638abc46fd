// Package subscribe is ticker's client protocol: it parses sub, unsub and ping
// ops from JSON or msgpack frames, validates subjects and patterns, matches
// NATS wildcards, and decides whether a subscription may take effect.
package subscribe
