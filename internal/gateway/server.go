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
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

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
	Page http.Handler
	// Limits bound connections and what each may do; zero fields mean
	// DefaultLimits().
	Limits Limits
	// Auth, when enabled, requires a JWT on every connection; the patterns
	// it grants narrow Policy.Allow for that connection. nil means no auth.
	Auth *auth.Verifier
	// Compression is the permessage-deflate mode offered to WebSocket
	// clients; the zero value is websocket.CompressionDisabled.
	Compression websocket.CompressionMode
	Metrics     *Metrics
	Logger      *slog.Logger
}

// Server serves ticker's HTTP endpoints.
type Server struct {
	opts     Options
	limits   Limits
	accepts  *acceptLimiter
	parser   subscribe.Parser
	metrics  *Metrics
	log      *slog.Logger
	mux      *http.ServeMux
	draining atomic.Bool

	mu    sync.Mutex
	conns map[*conn]struct{} // admitted connections, of every transport
	perIP map[string]int     // admitted connections by source address
	wg    sync.WaitGroup     // admitted connections not yet released

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
		opts:    opts,
		limits:  opts.Limits.withDefaults(),
		parser:  subscribe.Parser{MaxSubjects: opts.Policy.MaxSubs},
		metrics: opts.Metrics,
		log:     opts.Logger,
		mux:     http.NewServeMux(),
		conns:   make(map[*conn]struct{}),
		perIP:   make(map[string]int),
		fresh:   make(map[net.Conn]struct{}),
	}
	s.accepts = newAcceptLimiter(s.limits.AcceptRate, s.limits.AcceptBurst, s.limits.AcceptLatency, s.metrics.acceptRate)
	s.stream("/ws", s.serveWS)
	s.stream("/sse", s.serveSSE)
	s.plain("/healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	}))
	s.plain("/readyz", http.HandlerFunc(s.serveReady))
	if opts.Gatherer != nil {
		s.plain("/metrics", promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{}))
	}
	if opts.Page != nil {
		s.plain("/", opts.Page)
	}
	return s
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
