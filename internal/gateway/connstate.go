package gateway

import (
	"context"
	"net"
	"net/http"
)

// Counting abandoned handshakes: a connection is "fresh" from its accept
// until a whole request of it reaches ServeHTTP. One that closes while fresh
// sent a partial request or none, and was cut off by the server's
// ReadHeaderTimeout or gave up (slowloris, scanners, broken clients).
// ConnState and ConnContext are the http.Server hooks that do it.

type connKey struct{}

// ConnContext is the http.Server hook that lets ServeHTTP know the
// connection of a request.
func (s *Server) ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
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

// requested notes that a whole request of r's connection arrived.
func (s *Server) requested(r *http.Request) {
	c, ok := r.Context().Value(connKey{}).(net.Conn)
	if !ok {
		return
	}
	s.newMu.Lock()
	delete(s.fresh, c)
	s.newMu.Unlock()
}
