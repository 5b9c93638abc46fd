package gateway

import (
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// DefaultReadLimit is the largest frame a client may send (64 KiB); a larger
// one closes the connection with 1009.
const DefaultReadLimit = 64 << 10

// Options configure a Server. Hub is required; the rest is usable at its zero
// value.
type Options struct {
	Hub    *fanout.Hub
	Policy subscribe.Policy // which patterns clients may hold, how many
	// OriginPatterns are the browser origins allowed besides the request's
	// own host, as host patterns ("localhost:*", "*.example.com").
	OriginPatterns []string
	// Ready reports whether the gateway can serve (NATS connected); nil
	// means always.
	Ready func() bool
	// Gatherer is served at /metrics; nil means no /metrics.
	Gatherer prometheus.Gatherer
	// Page is served at / (the dashboard); nil means 404.
	Page    http.Handler
	Metrics *Metrics
	Logger  *slog.Logger
}

// Server serves ticker's HTTP endpoints.
type Server struct {
	opts     Options
	parser   subscribe.Parser
	metrics  *Metrics
	log      *slog.Logger
	mux      *http.ServeMux
	draining atomic.Bool

	mu       sync.Mutex
	sessions map[*session]struct{}
	wg       sync.WaitGroup // running sessions
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
		parser:   subscribe.Parser{MaxSubjects: opts.Policy.MaxSubs},
		metrics:  opts.Metrics,
		log:      opts.Logger,
		mux:      http.NewServeMux(),
		sessions: make(map[*session]struct{}),
	}
	s.mux.HandleFunc("GET /ws", s.serveWS)
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
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Ready reports whether the server takes new clients: its dependency is
// ready and it is not draining.
func (s *Server) Ready() bool {
	return !s.draining.Load() && (s.opts.Ready == nil || s.opts.Ready())
}

func (s *Server) serveReady(w http.ResponseWriter, _ *http.Request) {
	switch {
	case s.draining.Load():
		http.Error(w, "draining", http.StatusServiceUnavailable)
	case !s.Ready():
		http.Error(w, "nats not connected", http.StatusServiceUnavailable)
	default:
		_, _ = w.Write([]byte("ready\n"))
	}
}

// serveWS upgrades a request to a ticker.v1 connection and starts serving
// it.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.metrics.rejected.WithLabelValues("draining").Inc()
		http.Error(w, "draining, reconnect elsewhere", http.StatusServiceUnavailable)
		return
	}
	originOK := originAllowed(r, s.opts.OriginPatterns)
	c, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		Subprotocols:       []string{codec.SubprotocolJSON, codec.SubprotocolMsgpack},
		InsecureSkipVerify: true, // checked above, answered below with 1008
	})
	if err != nil { // Accept has answered the request
		s.metrics.rejected.WithLabelValues("handshake").Inc()
		s.log.Debug("websocket handshake refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	if !originOK {
		s.metrics.rejected.WithLabelValues("origin").Inc()
		s.log.Debug("origin not allowed", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		_ = c.Close(websocket.StatusPolicyViolation, "origin not allowed")
		return
	}
	ss := newSession(s, c, codec.KindOf(c.Subprotocol()))
	if !s.track(ss) {
		ss.Close(int(websocket.StatusGoingAway), "draining")
		ss.wait()
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

func (s *Server) track(ss *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining.Load() {
		return false
	}
	s.sessions[ss] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(ss *session) {
	s.mu.Lock()
	delete(s.sessions, ss)
	s.mu.Unlock()
	s.wg.Done()
}
