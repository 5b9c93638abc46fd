package gateway

import (
	"net/http"
	"time"
)

// Every request, whatever its route or method, passes ServeHTTP's guard
// before it is routed:
//
//   - No request body: no route takes one. A request announcing one gets 413
//     and its connection is closed, without reading the body: net/http would
//     otherwise read it before sending any answer, and a body announced and
//     never sent would hold the request, and a drain, forever.

// Reasons for refusing a request before its route sees it: the label values
// of ticker_http_requests_refused_total.
const (
	refuseBody = "body"
)

// ServeHTTP guards a request and routes it to its endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requested(r)
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec()
	if r.ContentLength != 0 { // a length, or -1: chunked, or HTTP/2 data to come
		s.metrics.refused.WithLabelValues(refuseBody).Inc()
		if r.ProtoMajor == 1 {
			// Close rather than read what is left of the body: the answer
			// goes out at once, and net/http does not wait for the rest.
			w.Header().Set("Connection", "close")
			_ = http.NewResponseController(w).SetReadDeadline(time.Now())
		}
		http.Error(w, "request body not accepted: no endpoint takes one", http.StatusRequestEntityTooLarge)
		return
	}
	if r.RequestURI == "*" && r.Method == http.MethodOptions { // server-wide OPTIONS
		w.Header().Set("Allow", allowPlain)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.mux.ServeHTTP(w, r)
}
