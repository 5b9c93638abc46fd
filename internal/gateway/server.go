package gateway

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// defaultReadLimit is the largest frame a client may send by default
// (64 KiB); a larger one closes the connection with 1009.
const defaultReadLimit = 64 << 10

// Options configure a Server. Hub is required; the rest is usable at its zero
// value.
type Options struct {
	Hub    *fanout.Hub
	Policy subscribe.Policy // which patterns clients may hold, how many
	// OriginPatterns are the browser origins allowed besides the request's
	// own host, as host patterns ("localhost:*", "*.example.com").
	OriginPatterns []string
	// ready reports whether the gateway can serve (NATS connected); nil
	// means always.
	Ready func() bool
	// Gatherer is served at /metrics; nil means no /metrics.
	Gatherer prometheus.Gatherer
	// Page is served at / (the dashboard); nil means 404.
	Page http.Handler
	// Limits bound connections and what each may do; zero fields mean
	// DefaultLimits().
	Limits Limits
	// Auth, when enabled, requires a JWT on every connection; the patterns
	// it grants narrow Policy.Allow for that connection. nil means no auth.
	Auth    *auth.Verifier
	Metrics *Metrics
	Logger  *slog.Logger
}

// Server serves ticker's HTTP endpoints.
type Server struct {
	opts     Options
	limits   Limits
	parser   subscribe.Parser
	metrics  *Metrics
	log      *slog.Logger
	mux      *http.ServeMux
	draining atomic.Bool

	mu       sync.Mutex
	sessions map[fanout.Transport]string // open connections, WebSocket or SSE, with their source address
	perIP    map[string]int              // open connections by source address
	wg       sync.WaitGroup              // running connections

	newMu sync.Mutex
	fresh map[net.Conn]struct{} // connections that have not sent a request yet
}

// New returns a Server for opts.
func New(opts Options) *Server {
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{
		opts:     opts,
		limits:   opts.Limits.withDefaults(),
		parser:   subscribe.Parser{MaxSubjects: opts.Policy.MaxSubs},
		metrics:  opts.Metrics,
		log:      opts.Logger,
		mux:      http.NewServeMux(),
		sessions: make(map[fanout.Transport]string),
		perIP:    make(map[string]int),
		fresh:    make(map[net.Conn]struct{}),
	}
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /sse", s.serveSSE)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", s.serveReady)
	if opts.Gatherer != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{}))
	}
	if opts.Page != nil {
		s.mux.Handle("GET /", opts.Page)
	}
	return s
}

// ServeHTTP routes a request to its endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requested(r)
	s.mux.ServeHTTP(w, r)
}

// ready reports whether the server takes new clients: its dependency is
// ready and it is not draining.
func (s *Server) ready() bool {
	return !s.draining.Load() && (s.opts.Ready == nil || s.opts.Ready())
}

func (s *Server) serveReady(w http.ResponseWriter, _ *http.Request) {
	switch {
	case s.draining.Load():
		http.Error(w, "draining", http.StatusServiceUnavailable)
	case !s.ready():
		http.Error(w, "nats not connected", http.StatusServiceUnavailable)
	default:
		_, _ = w.Write([]byte("ready\n"))
	}
}

// serveWS upgrades a request to a ticker.v1 connection and starts serving
// it.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.metrics.rejected.WithLabelValues(rejectDraining).Inc()
		http.Error(w, "draining, reconnect elsewhere", http.StatusServiceUnavailable)
		return
	}
	originOK := originAllowed(r, s.opts.OriginPatterns)
	grant, authErr := s.authorize(r)
	c, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		Subprotocols:       []string{codec.SubprotocolJSON, codec.SubprotocolMsgpack},
		InsecureSkipVerify: true, // checked above, answered below with 1008
	})
	if err != nil { // Accept has answered the request
		s.metrics.rejected.WithLabelValues(rejectHandshake).Inc()
		s.log.Debug("websocket handshake refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	if !originOK {
		s.log.Debug("origin not allowed", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		s.refuse(c, rejectOrigin, websocket.StatusPolicyViolation, "origin not allowed")
		return
	}
	if authErr != nil {
		s.log.Debug("connection not authorized", "remote", r.RemoteAddr, "err", authErr)
		s.refuse(c, rejectAuth, websocket.StatusPolicyViolation, auth.Reason(authErr))
		return
	}
	ss, reason := s.track(c, codec.KindOf(c.Subprotocol()), sourceIP(r), grant)
	switch reason {
	case "":
	case rejectDraining:
		s.refuse(c, reason, websocket.StatusGoingAway, "draining, reconnect elsewhere")
		return
	default:
		s.log.Debug("connection limit reached", "limit", reason, "remote", r.RemoteAddr)
		s.refuse(c, reason, websocket.StatusTryAgainLater, "try again later: connection limit reached")
		return
	}
	// The session gets a goroutine of its own, and this handler returns:
	// net/http's goroutine, its deep stack and the request are not kept for
	// as long as the connection lives.
	go func() {
		defer s.untrack(ss)
		ss.run()
	}()
}

// authorize verifies the request's token when auth is on. It returns the
// grant, nil when auth is off, or the reason to refuse the connection.
func (s *Server) authorize(r *http.Request) (*auth.Grant, error) {
	if !s.opts.Auth.Enabled() {
		return nil, nil
	}
	g, err := s.opts.Auth.Verify(r)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// refuse closes a connection just accepted, counting why.
func (s *Server) refuse(c *websocket.Conn, why string, code websocket.StatusCode, reason string) {
	s.metrics.rejected.WithLabelValues(why).Inc()
	_ = c.Close(code, reason)
}

// track admits a new WebSocket connection and starts its session, or says
// why not.
func (s *Server) track(c *websocket.Conn, k codec.Kind, ip string, g *auth.Grant) (*session, string) {
	var ss *session
	reason := s.admit(ip, func() fanout.Transport {
		ss = newSession(s, c, k, ip, g)
		return ss
	})
	return ss, reason
}

// admit counts a new connection from ip in, made by start, or says why it
// may not be served.
func (s *Server) admit(ip string, start func() fanout.Transport) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason := s.admitLocked(ip); reason != "" {
		return reason
	}
	s.sessions[start()] = ip
	s.wg.Add(1)
	return ""
}

// untrack counts a connection out when it has ended.
func (s *Server) untrack(t fanout.Transport) {
	s.mu.Lock()
	ip := s.sessions[t]
	delete(s.sessions, t)
	s.releaseLocked(ip)
	s.mu.Unlock()
	s.wg.Done()
}
