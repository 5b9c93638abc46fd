package gateway

import (
	"net/http"
	"time"
)

// Every request, whatever its route or method, passes ServeHTTP's guard
// before it is routed:
//
//   - A read and a write deadline of Limits.RequestTimeout: an answer the
//     client does not read (pipelined /metrics requests, say) or a request
//     that does not end costs the connection, not a goroutine forever. A
//     stream is bounded by them only until it is admitted: the WebSocket's
//     hijack clears them, and an SSE stream lifts them as it starts.
//   - At most Limits.MaxRequestsPerConn requests in flight on a connection
//     (HTTP/2 multiplexes them); one more gets 429.
//   - No request body: no route takes one. A request announcing one gets 413
//     and its connection is closed, without reading the body: net/http would
//     otherwise read it before sending any answer, and a body announced and
//     never sent would hold the request, and a drain, forever.

// Reasons for refusing a request before its route sees it: the label values
// of ticker_http_requests_refused_total.
const (
	refuseBody     = "body"
	refuseInFlight = "in_flight"
)

// ServeHTTP guards a request and routes it to its endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := s.requested(r)
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(s.limits.RequestTimeout)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec()
	if info != nil {
		n := info.inFlight.Add(1)
		defer info.inFlight.Add(-1)
		if max := s.limits.MaxRequestsPerConn; max > 0 && int(n) > max {
			s.metrics.refused.WithLabelValues(refuseInFlight).Inc()
			http.Error(w, "too many requests in flight on this connection", http.StatusTooManyRequests)
			return
		}
	}
	if r.ContentLength != 0 { // a length, or -1: chunked, or HTTP/2 data to come
		s.metrics.refused.WithLabelValues(refuseBody).Inc()
		if r.ProtoMajor == 1 {
			// Close rather than read what is left of the body: the answer
			// goes out at once, and net/http does not wait for the rest.
			w.Header().Set("Connection", "close")
			_ = rc.SetReadDeadline(time.Now())
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

// liftDeadlines clears the guard's deadlines for a stream that has been
// admitted and lives on.
func liftDeadlines(rc *http.ResponseController) {
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}
