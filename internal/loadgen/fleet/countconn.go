package fleet

import (
	"context"
	"net"
	"sync/atomic"
)

// countingConn counts the bytes read from a TCP connection: the wire bytes,
// before permessage-deflate inflates them.
type countingConn struct {
	net.Conn
	n *atomic.Uint64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(uint64(n))
	return n, err
}

// countingDialer dials with d and counts what is read from its connections
// into n.
func countingDialer(d *net.Dialer, n *atomic.Uint64) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: c, n: n}, nil
	}
}

// wireBytes are the bytes read from every socket of the fleet so far.
func (f *Fleet) wireBytes() uint64 {
	var n uint64
	for _, c := range f.socketRead {
		n += c.Load()
	}
	return n
}
