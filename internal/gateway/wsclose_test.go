package gateway

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/closecode"
)

// rawUpgrade opens a WebSocket to url by hand, so that the test can send
// frames no well-behaved client would.
func rawUpgrade(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return nc, br
}

// masked is a client frame: header byte b0, payload masked with a zero key.
func masked(b0 byte, payload []byte) []byte {
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	default:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	}
	f = append(f, 0, 0, 0, 0)
	return append(f, payload...)
}

// closeReceived reads server frames up to a close frame and returns its
// code, or closecode.Abnormal if the connection ends without one.
func closeReceived(t *testing.T, br *bufio.Reader) closecode.Code {
	t.Helper()
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return closecode.Abnormal
		}
		n := int(h[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(br, ext[:]); err != nil {
				return closecode.Abnormal
			}
			n = int(binary.BigEndian.Uint16(ext[:]))
		case 127:
			t.Fatal("unexpected 64-bit frame length")
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return closecode.Abnormal
		}
		if h[0]&0x0f == 0x8 && n >= 2 {
			return closecode.Code(binary.BigEndian.Uint16(p))
		}
	}
}

// TestLibraryCloseIsTheCodeTheClientReceives sends coder/websocket each
// violation it answers with a close of its own, and checks that libraryClose
// names the code the client got, and that it names none when the library
// sent none.
func TestLibraryCloseIsTheCodeTheClientReceives(t *testing.T) {
	const limit = 16
	readErr := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.SetReadLimit(limit)
		for {
			if _, _, err = c.Read(r.Context()); err != nil {
				break
			}
		}
		readErr <- err
		_ = c.CloseNow()
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	closeFrame := func(code uint16) []byte { return binary.BigEndian.AppendUint16(nil, code) }
	tests := []struct {
		name   string
		frames [][]byte
		want   closecode.Code // 0: the library sends no close of its own
	}{
		{"a frame over the read limit", [][]byte{masked(0x81, make([]byte, limit+1))}, closecode.MessageTooBig},
		{"reserved bits set", [][]byte{masked(0x80|0x40|0x1, []byte("a"))}, closecode.ProtocolError},
		{"an unknown opcode", [][]byte{masked(0x83, nil)}, closecode.ProtocolError},
		{"a control frame over 125 bytes", [][]byte{masked(0x89, make([]byte, 126))}, closecode.ProtocolError},
		{"a fragmented control frame", [][]byte{masked(0x09, nil)}, closecode.ProtocolError},
		{"a close payload of one byte", [][]byte{masked(0x88, []byte{3})}, closecode.ProtocolError},
		{"a continuation without a message", [][]byte{masked(0x80, []byte("a"))}, closecode.ProtocolError},
		{"a new message inside a fragmented one", [][]byte{masked(0x01, []byte("a")), masked(0x81, []byte("b"))}, closecode.ProtocolError},
		{"the client's own close", [][]byte{masked(0x88, closeFrame(1000))}, 0},
		{"an unmasked frame", [][]byte{{0x81, 0x01, 'a'}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc, br := rawUpgrade(t, addr)
			for _, f := range tc.frames {
				if _, err := nc.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			select {
			case err = <-readErr:
			case <-time.After(10 * time.Second):
				t.Fatal("the server's read did not fail")
			}
			got, ok := libraryClose(err)
			received := closeReceived(t, br)
			switch {
			case tc.want == 0 && ok:
				t.Fatalf("libraryClose(%v) = %s, want none (the client got %s)", err, got, received)
			case tc.want != 0 && (!ok || got != tc.want):
				t.Fatalf("libraryClose(%v) = %s %v, want %s", err, got, ok, tc.want)
			case tc.want != 0 && received != tc.want:
				t.Fatalf("the client got %s, want %s", received, tc.want)
			}
		})
	}
	if _, ok := libraryClose(errors.New("read tcp: connection reset by peer")); ok {
		t.Fatal("a plain read error counts as a library close")
	}
}
