// Package client is a Go client of the ticker.v1 protocol, used by tests and
// by feedsim.
package client
