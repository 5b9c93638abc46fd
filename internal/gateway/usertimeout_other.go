//go:build !linux

package gateway

import (
	"errors"
	"net"
	"time"
)

// setUserTimeout is TCP_USER_TIMEOUT, which only Linux has here: elsewhere
// every connection is pinged.
func setUserTimeout(net.Conn, time.Duration) error {
	return errors.New("TCP_USER_TIMEOUT is not supported here")
}
