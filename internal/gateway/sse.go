package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ticker-dev/ticker/internal/fanout"
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
	var op subscribe.Op
	var opts fanout.SubOptions
	c, ref := s.admit(r, func(p subscribe.Policy) *refusal {
		var ref *refusal
		op, ref = sseSubscription(r, p)
		opts = fanout.SubOptions{MaxRate: p.Rate(op), Delta: op.Delta}
		return ref
	})
	if ref == nil {
		ref = c.take(newSSEStream(s, w, r, op.Subjects, opts))
	}
	if ref != nil {
		s.reject(ref)
		setRetryAfter(w, ref)
		sseError(w, ref.status, ref.errCode, ref.msg)
		return
	}
	s.run(c)
}

// sseSubscription reads the stream's sub from the query (subjects, and
// max_rate and delta, validated as in a sub op) and checks it against the
// connection's policy, as a sub op would be.
func sseSubscription(r *http.Request, p subscribe.Policy) (subscribe.Op, *refusal) {
	op := subscribe.Op{Kind: subscribe.OpSub, Subjects: sseSubjects(r)}
	if len(op.Subjects) == 0 {
		return op, badRequest(&subscribe.Error{Code: subscribe.CodeBadRequest,
			Msg: "give the subjects to stream: /sse?subjects=quotes.AAPL,scores.nba.*"})
	}
	if e := sseOptions(r.URL.Query(), &op); e != nil {
		return op, badRequest(e)
	}
	if e := p.CheckSub(op, nil, 0); e != nil {
		return op, badRequest(e)
	}
	return op, nil
}

// sseOptions reads the max_rate and delta parameters into op: each at most
// once, max_rate a number from 0 to subscribe.MaxRate, delta true or false.
func sseOptions(q url.Values, op *subscribe.Op) *subscribe.Error {
	bad := func(format string, args ...any) *subscribe.Error {
		return &subscribe.Error{Code: subscribe.CodeBadRequest, Msg: fmt.Sprintf(format, args...)}
	}
	if vs, ok := q["max_rate"]; ok {
		var r float64
		var err error
		if len(vs) == 1 {
			r, err = strconv.ParseFloat(vs[0], 64)
		}
		if len(vs) != 1 || err != nil || !subscribe.ValidRate(r) {
			return bad(`"max_rate" must be given once, a number from 0 to %d`, subscribe.MaxRate)
		}
		op.MaxRate = r
	}
	if vs, ok := q["delta"]; ok {
		if len(vs) != 1 || (vs[0] != "true" && vs[0] != "false") {
			return bad(`"delta" must be given once, true or false`)
		}
		op.Delta = vs[0] == "true"
	}
	return nil
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
