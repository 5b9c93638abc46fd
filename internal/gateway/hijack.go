package gateway

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// Buffers of an upgraded connection, which every idle connection holds for
// as long as it lives (net/http's are 4 KiB each).
//
// Clients send only small ops, and a frame larger than the read buffer is
// read past it. The write buffer joins each frame's header and payload into
// one write: 1 KiB holds a single update or a few, and a larger batch costs one
// more write, which it shares among its messages.
const (
	readBufferSize  = 512
	writeBufferSize = 1 << 10
)

// smallBuffers wraps the ResponseWriter of an upgrade so that the hijacked
// connection gets small buffers. With userTimeout > 0 it also has the kernel
// abort the connection once data written to it stays unacknowledged for that
// long (TCP_USER_TIMEOUT), and notes in timed whether it could.
type smallBuffers struct {
	http.ResponseWriter
	userTimeout time.Duration
	timed       bool
}

// Hijack takes over the connection as net/http's Hijack does.
func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.userTimeout > 0 {
		w.timed = setUserTimeout(conn, w.userTimeout) == nil
	}
	if err != nil || brw.Reader.Buffered() > 0 || brw.Writer.Buffered() > 0 {
		return conn, brw, err // bytes already buffered stay where they are
	}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, readBufferSize), bufio.NewWriterSize(conn, writeBufferSize)), nil
}

// Unwrap lets http.ResponseController reach the original ResponseWriter.
func (w *smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }
