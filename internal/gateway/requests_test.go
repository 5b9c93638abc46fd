package gateway

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// serveLikeApp serves s as internal/app does, with the one field more that
// lets the gateway see server-wide OPTIONS requests
// (DisableGeneralOptionsHandler), and returns its address.
func serveLikeApp(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{
		Handler:                      s,
		ReadHeaderTimeout:            10 * time.Second,
		IdleTimeout:                  time.Minute,
		ConnState:                    s.ConnState,
		ConnContext:                  s.ConnContext,
		DisableGeneralOptionsHandler: true,
	}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return ln.Addr().String()
}

func TestServerWideOPTIONSIsAnsweredAndItsBodyRefusedWithoutWaitingForIt(t *testing.T) {
	addr := serveLikeApp(t, testServer(t, Limits{}))
	for _, tc := range []struct {
		name, head string
		status     int
		closed     bool
	}{
		{"no body", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusNoContent, false},
		{"a body announced and never sent", "OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", http.StatusRequestEntityTooLarge, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := nc.Write([]byte(tc.head)); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(nc)
			resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodOptions})
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Close != tc.closed {
				t.Fatalf("%s (close %v), want %d (close %v)", resp.Status, resp.Close, tc.status, tc.closed)
			}
			if tc.status == http.StatusNoContent && resp.Header.Get("Allow") != allowPlain {
				t.Fatalf("Allow %q", resp.Header.Get("Allow"))
			}
			if tc.closed {
				_, err := br.ReadByte()
				var ne net.Error
				if err == nil || errors.As(err, &ne) && ne.Timeout() {
					t.Fatalf("the connection stayed open: %v", err)
				}
			}
		})
	}
}
