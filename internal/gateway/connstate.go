package gateway

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
)

// Counting abandoned handshakes: a connection is "fresh" from its accept
// until a whole request of it reaches ServeHTTP. One that closes while fresh
// sent a partial request or none, and was cut off by the server's
// ReadHeaderTimeout or gave up (slowloris, scanners, broken clients).
// ConnState and ConnContext are the http.Server hooks that do it.

type connKey struct{}

// connInfo is what ServeHTTP knows of a request's connection.
type connInfo struct {
	c        net.Conn
	inFlight atomic.Int32 // requests being served (HTTP/2 has several)
}

// ConnContext is the http.Server hook that lets ServeHTTP know the
// connection of a request.
func (s *Server) ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connInfo{c: c})
}

// ConnState is the http.Server hook that follows connections from accept to
// close.
func (s *Server) ConnState(c net.Conn, state http.ConnState) {
	s.newMu.Lock()
	defer s.newMu.Unlock()
	switch state {
	case http.StateNew:
		s.fresh[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		if _, ok := s.fresh[c]; ok && state == http.StateClosed {
			s.metrics.abandoned.Inc()
		}
		delete(s.fresh, c)
	}
}

// requested notes that a whole request of r's connection arrived, and
// returns what is known of the connection: nil without the ConnContext hook.
func (s *Server) requested(r *http.Request) *connInfo {
	info, ok := r.Context().Value(connKey{}).(*connInfo)
	if !ok {
		return nil
	}
	s.newMu.Lock()
	delete(s.fresh, info.c)
	s.newMu.Unlock()
	return info
}
