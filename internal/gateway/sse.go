package gateway

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// The SSE fallback: GET /sse?subjects=quotes.AAPL,scores.nba.* streams the
// same JSON msg objects as /ws, one per event, for clients that cannot use
// WebSocket. It is one more transport (see sseStream): the same admission,
// limits, origin rules and auth, the same lifecycle and fanout core. The
// subscription is fixed for the stream's life: to change it, a client opens
// a new stream.
//
//	data: {"op":"msg","subject":"quotes.AAPL","data":{...},"snapshot":true}
//
// Other ops (the ack of the subscription) are named events ("event: ack"),
// which EventSource's onmessage does not see. ": ping" comment lines keep
// proxies from timing the stream out and find dead peers. Before the gateway
// ends a stream on purpose it sends "event: close" with
// {"code":1001,"reason":"..."}, the WebSocket close code it would have used.
// A request that gets no stream is answered with an HTTP status and a JSON
// error object.

// serveSSE admits a request as an SSE stream and serves it.
func (s *Server) serveSSE(w http.ResponseWriter, r *http.Request) {
	var subjects []string
	c, ref := s.admit(r, func(p subscribe.Policy) *refusal {
		var ref *refusal
		subjects, ref = sseSubscription(r, p)
		return ref
	})
	if ref == nil {
		ref = c.take(newSSEStream(s, w, r, subjects))
	}
	if ref != nil {
		s.reject(ref)
		sseError(w, ref.status, ref.errCode, ref.msg)
		return
	}
	s.run(c)
}

// sseSubscription reads the stream's subjects from the query and checks
// them against the connection's policy, as a sub op would be.
func sseSubscription(r *http.Request, p subscribe.Policy) ([]string, *refusal) {
	op := subscribe.Op{Kind: subscribe.OpSub, Subjects: sseSubjects(r)}
	if len(op.Subjects) == 0 {
		return nil, badRequest(&subscribe.Error{Code: subscribe.CodeBadRequest,
			Msg: "give the subjects to stream: /sse?subjects=quotes.AAPL,scores.nba.*"})
	}
	if e := p.CheckSub(op, nil, 0); e != nil {
		return nil, badRequest(e)
	}
	return op.Subjects, nil
}

// sseSubjects reads the subjects parameter (comma separated, may repeat).
func sseSubjects(r *http.Request) []string {
	var out []string
	for _, v := range r.URL.Query()["subjects"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// sseError answers a request that gets no stream with an error object.
func sseError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"op": "error", "code": code, "msg": msg})
}
