package gateway

import "net/http"

// Routes are plain or streams. A plain route answers at once and takes GET
// and HEAD (net/http sends a HEAD's headers without the body). A stream (/ws,
// /sse) becomes a connection that lives on, so it takes GET only: a HEAD
// would be a stream whose events go nowhere, and whose end the server could
// not see. OPTIONS is answered on every route with what it allows; any other
// method gets 405.

const (
	allowPlain  = "GET, HEAD, OPTIONS"
	allowStream = "GET, OPTIONS"
)

// plain serves h at path for GET and HEAD.
func (s *Server) plain(path string, h http.Handler) {
	s.mux.Handle(path, methods(allowPlain, func(m string) bool { return m == http.MethodGet || m == http.MethodHead }, h))
}

// stream serves h at path for GET only.
func (s *Server) stream(path string, h http.HandlerFunc) {
	s.mux.Handle(path, methods(allowStream, func(m string) bool { return m == http.MethodGet }, h))
}

// methods serves h for the methods ok takes, OPTIONS with allow, and
// refuses the others.
func methods(allow string, ok func(string) bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case ok(r.Method):
			h.ServeHTTP(w, r)
		case r.Method == http.MethodOptions:
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", allow)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}
