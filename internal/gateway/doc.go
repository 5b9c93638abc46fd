// Package gateway is ticker's HTTP face: the /ws endpoint speaking ticker.v1,
// the health and metrics endpoints, and the drain on shutdown.
package gateway
