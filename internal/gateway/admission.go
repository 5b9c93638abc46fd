package gateway

import (
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Admission: every transport lets a request become a connection in two
// steps. admit checks, in this order, that the gateway is not draining,
// that the query parses, the browser origin, the token, and the transport's
// own request (SSE's subjects); it returns a *conn with the connection's
// policy and expiry. take then counts the connection in against the limits
// and puts its transport where Drain finds it, in one step, after the
// transport's handshake (a WebSocket's Accept). release gives the slot back
// exactly once, whatever way the connection ends.

// Reasons for refusing a connection: the label values of
// ticker_upgrades_rejected_total.
const (
	rejectDraining      = "draining"
	rejectHandshake     = "handshake"
	rejectOrigin        = "origin"
	rejectAuth          = "auth"
	rejectMaxConns      = "max_conns"
	rejectMaxConnsPerIP = "max_conns_per_ip"
	rejectAcceptRate    = "accept_rate"
)

// drainingReason is what a client is told while the gateway drains.
const drainingReason = "draining, reconnect elsewhere"

// A refusal is why a request does not become a connection, in the terms of
// each transport: the HTTP status a transport answers before its handshake,
// the close code one answers after it, the ticker.v1 error code and text.
type refusal struct {
	// reason is the ticker_upgrades_rejected_total label; "" for a request
	// the client got wrong, counted in ticker_protocol_errors_total.
	reason string
	status int
	// code is the close code of a WebSocket refused after its handshake; 0
	// means that even a WebSocket is refused with the HTTP status.
	code    closecode.Code
	errCode string
	msg     string
	// retryAfter is when the client may come back, for a refusal that
	// passes (see storm.go); 0 if there is no telling.
	retryAfter time.Duration
}

// The refusals admit returns itself.
var (
	// Before anything else; a new /ws upgrade gets HTTP 503 (DESIGN.md).
	refuseDraining = &refusal{reason: rejectDraining, status: http.StatusServiceUnavailable,
		errCode: subscribe.CodeForbidden, msg: drainingReason}
	// The drain began while the request was being checked.
	refuseDrainingLate = &refusal{reason: rejectDraining, status: http.StatusServiceUnavailable,
		code: closecode.GoingAway, errCode: subscribe.CodeForbidden, msg: drainingReason}
	refuseOrigin = &refusal{reason: rejectOrigin, status: http.StatusForbidden,
		code: closecode.PolicyViolation, errCode: subscribe.CodeForbidden, msg: "origin not allowed"}
)

// refuseLimit is the refusal of a connection past a connection limit.
func refuseLimit(reason string) *refusal {
	return &refusal{reason: reason, status: http.StatusServiceUnavailable, code: closecode.TryAgainLater,
		errCode: subscribe.CodeForbidden, msg: retryReason("connection limit reached", fullRetryHint),
		retryAfter: fullRetryHint}
}

// malformedQuery is the refusal of a request whose query does not parse: the
// client is told so, rather than what the parameters it did not get would
// have meant (no subjects, no token). Even a WebSocket gets it in HTTP,
// before its handshake.
func malformedQuery(err error) *refusal {
	return &refusal{status: http.StatusBadRequest, errCode: subscribe.CodeBadRequest, msg: "malformed query: " + err.Error()}
}

// refuseAuth is the refusal of a request without a good token.
func refuseAuth(err error) *refusal {
	return &refusal{reason: rejectAuth, status: http.StatusUnauthorized, code: closecode.PolicyViolation,
		errCode: subscribe.CodeForbidden, msg: auth.Reason(err)}
}

// badRequest is the refusal of a request the client got wrong.
func badRequest(e *subscribe.Error) *refusal {
	status := http.StatusBadRequest
	if e.Code == subscribe.CodeForbidden {
		status = http.StatusForbidden
	}
	return &refusal{status: status, code: closecode.PolicyViolation, errCode: e.Code, msg: e.Msg}
}

// conn is one client connection, whatever transport carries it: what it may
// subscribe to, when its token expires, and, once taken, its slot against
// the limits, its transport and its fanout subscriber.
type conn struct {
	srv *Server
	ip  string // the source address, counted against MaxConnsPerIP
	// policy is the server's, narrowed to what the token grants. Set at
	// admit, then changed only by an auth op, on the connection's read loop,
	// which is also the only reader after admit.
	policy subscribe.Policy
	expiry time.Time // when the token expires; zero without auth; guarded by mu once run

	t   transport          // set by take
	sub *fanout.Subscriber // set by run

	mu       sync.Mutex  // after srv.mu when both are held
	expire   *time.Timer // closes the connection at expiry; nil without a token
	ended    bool        // the transport's loop has returned: timers close nothing more
	taken    bool        // holds a slot
	released bool
}

// admit runs the checks every transport shares before its handshake: the
// cheap ones first, then the accept rate, then the token, whose check costs
// the most. check,
// when not nil, is the transport's own check of the request, given the
// policy the connection will have. Exactly one of the results is nil; the
// caller answers a refusal (see reject), or takes the conn once its
// transport exists.
func (s *Server) admit(r *http.Request, check func(subscribe.Policy) *refusal) (*conn, *refusal) {
	if s.draining.Load() {
		return nil, refuseDraining
	}
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return nil, malformedQuery(err)
	}
	if !originAllowed(r, s.opts.OriginPatterns) {
		s.log.Debug("origin not allowed", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		return nil, refuseOrigin
	}
	if ok, hint := s.accepts.allow(time.Now()); !ok {
		return nil, refuseStorm(hint)
	}
	c := &conn{srv: s, ip: sourceIP(r), policy: s.opts.Policy}
	if s.opts.Auth.Enabled() {
		g, err := s.opts.Auth.Verify(r)
		if err != nil {
			s.log.Debug("connection not authorized", "remote", r.RemoteAddr, "err", err)
			return nil, refuseAuth(err)
		}
		c.policy = grantPolicy(s.opts.Policy, g)
		c.expiry = g.Expires
	}
	if check != nil {
		if ref := check(c.policy); ref != nil {
			return nil, ref
		}
	}
	return c, nil
}

// take counts the connection in against the limits and registers t for the
// drain, both under one lock so that a drain either closes t or refuses it;
// or it says why the connection may not be served. A taken conn must be
// released (run does it).
func (c *conn) take(t transport) *refusal {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limits
	var ref *refusal
	switch {
	case s.draining.Load():
		ref = refuseDrainingLate
	case l.MaxConns > 0 && len(s.conns) >= l.MaxConns:
		ref = refuseLimit(rejectMaxConns)
	case l.MaxConnsPerIP > 0 && s.perIP[c.ip] >= l.MaxConnsPerIP:
		ref = refuseLimit(rejectMaxConnsPerIP)
	}
	if ref != nil {
		s.log.Debug("connection refused", "reason", ref.reason, "remote", c.ip)
		return ref
	}
	s.perIP[c.ip]++
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	c.t = t
	c.mu.Lock()
	c.taken = true
	c.mu.Unlock()
	return nil
}

// release gives the connection's slot back. It runs once however often it
// is called; a conn never taken has nothing to give back.
func (c *conn) release() {
	c.mu.Lock()
	done := c.released || !c.taken
	c.released = true
	c.mu.Unlock()
	if done {
		return
	}
	s := c.srv
	s.mu.Lock()
	delete(s.conns, c)
	if s.perIP[c.ip]--; s.perIP[c.ip] <= 0 {
		delete(s.perIP, c.ip)
	}
	s.mu.Unlock()
	s.wg.Done()
}

// reject counts a refusal as it is answered.
func (s *Server) reject(ref *refusal) {
	if ref.reason != "" {
		s.metrics.rejected.WithLabelValues(ref.reason).Inc()
	} else {
		s.metrics.errors.WithLabelValues(ref.errCode).Inc()
	}
}
