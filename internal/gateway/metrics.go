package gateway

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Metrics are the gateway's Prometheus collectors.
type Metrics struct {
	connections *prometheus.GaugeVec
	opened      prometheus.Counter
	closed      *prometheus.CounterVec
	rejected    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	deadPeers   prometheus.Counter
	abandoned   prometheus.Counter
	limited     *prometheus.CounterVec
	inFlight    prometheus.Gauge
	refused     *prometheus.CounterVec
	acceptRate  prometheus.Gauge
}

// NewMetrics creates the gateway's collectors and registers them with reg,
// which may be nil to keep them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ticker_connections",
			Help: "Open client connections, by codec: json and msgpack over WebSocket, sse (JSON over server-sent events).",
		}, []string{"codec"}),
		opened: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_connections_opened_total",
			Help: "Client connections accepted (WebSocket and SSE).",
		}),
		closed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticker_connections_closed_total",
			Help: "Client connections closed, by close code (1006: closed without a close frame, or an SSE client that left).",
		}, []string{"code"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticker_upgrades_rejected_total",
			Help: "WebSocket upgrades refused or closed at once, by reason: draining, handshake, origin, auth, max_conns, max_conns_per_ip, accept_rate (past --accept-rate).",
		}, []string{"reason"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticker_protocol_errors_total",
			Help: "Error replies sent to clients, by error code.",
		}, []string{"code"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticker_connections_limited_total",
			Help: "Connections the gateway closed with 1008 for a per-connection limit, by limit: op_rate (ops past --op-rate went on), idle (no subscription for --idle-timeout), token_expired.",
		}, []string{"limit"}),
		abandoned: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_http_connections_abandoned_total",
			Help: "HTTP connections closed before a whole request arrived: slow or abandoned handshakes, including those cut by the handshake timeout.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ticker_http_requests_in_flight",
			Help: "HTTP requests being served, SSE streams included (a WebSocket until its upgrade).",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticker_http_requests_refused_total",
			Help: "HTTP requests refused before their endpoint saw them, by reason: body (a request body; no endpoint takes one: 413), in_flight (past the bound of requests in flight on one connection: 429).",
		}, []string{"reason"}),
		acceptRate: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ticker_accept_rate_limit",
			Help: "New connections per second the gateway takes now: --accept-rate, less while its goroutines wait for a CPU longer than --accept-latency (0: no limit).",
		}),
		deadPeers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_dead_peers_total",
			Help: "Connections dropped because the peer did not answer a keepalive ping in time.",
		}),
	}
	for _, r := range []string{rejectDraining, rejectHandshake, rejectOrigin, rejectAuth, rejectMaxConns, rejectMaxConnsPerIP} {
		m.rejected.WithLabelValues(r)
	}
	for k := codec.Kind(0); int(k) < codec.NumKinds; k++ {
		m.connections.WithLabelValues(k.String())
	}
	m.connections.WithLabelValues(sseLabel)
	for _, r := range []string{refuseBody, refuseInFlight} {
		m.refused.WithLabelValues(r)
	}
	for _, l := range []string{limitOpRate, limitIdle, limitTokenExpired} {
		m.limited.WithLabelValues(l)
	}
	for _, c := range []string{subscribe.CodeBadRequest, subscribe.CodeBadSubject, subscribe.CodeForbidden,
		subscribe.CodeTooManySubscriptions, subscribe.CodeRateLimited} {
		m.errors.WithLabelValues(c)
	}
	if reg != nil {
		reg.MustRegister(m.connections, m.opened, m.closed, m.rejected, m.errors, m.deadPeers, m.abandoned, m.limited,
			m.inFlight, m.refused, m.acceptRate)
	}
	return m
}

// Per-connection limits, the label values of ticker_connections_limited_total.
const (
	limitOpRate       = "op_rate"
	limitIdle         = "idle"
	limitTokenExpired = "token_expired"
)

func (m *Metrics) closedWith(code closecode.Code) { m.closed.WithLabelValues(code.String()).Inc() }
