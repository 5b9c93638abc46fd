// Package app assembles a ticker process from its configuration: the embedded
// NATS server or a remote one, the bus, the hub, the built-in feed and the
// HTTP server.
package app
