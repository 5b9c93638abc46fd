package broker

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the NATS connection's Prometheus collectors.
type Metrics struct {
	slow            prometheus.Counter
	snapshotFetches *prometheus.CounterVec
	snapshotValues  prometheus.Counter
	bus             atomic.Pointer[Bus] // read by the gauges; nil before Connect
}

// Results of a read of last values, the label values of
// ticker_snapshot_fetches_total.
const (
	fetchOK    = "ok"
	fetchError = "error"
)

// NewMetrics creates the bus's collectors and registers them with reg, which
// may be nil to keep them unregistered. One Metrics serves one Bus.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		slow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_nats_slow_consumer_events_total",
			Help: "Times NATS dropped updates because the gateway fell behind a subscription's pending limits.",
		}),
		snapshotFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticker_snapshot_fetches_total",
			Help: "Reads of last values from the JetStream snapshot stream, when the gateway starts watching new patterns or has reconnected, by result: ok or error (subs are then served from the values this gateway has seen).",
		}, []string{"result"}),
		snapshotValues: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_snapshot_fetched_values_total",
			Help: "Last values read from the JetStream snapshot stream.",
		}),
	}
	m.snapshotFetches.WithLabelValues(fetchOK)
	m.snapshotFetches.WithLabelValues(fetchError)
	connected := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ticker_nats_connected",
		Help: "1 while the gateway is connected to NATS, else 0.",
	}, func() float64 {
		if b := m.bus.Load(); b != nil && b.Connected() {
			return 1
		}
		return 0
	})
	subscriptions := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ticker_nats_subscriptions",
		Help: "NATS subscriptions of this gateway: one per distinct pattern its clients hold.",
	}, func() float64 {
		if b := m.bus.Load(); b != nil {
			return float64(b.watched())
		}
		return 0
	})
	if reg != nil {
		reg.MustRegister(m.slow, m.snapshotFetches, m.snapshotValues, connected, subscriptions)
	}
	return m
}
