package fanout

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the broadcast core's Prometheus collectors.
type Metrics struct {
	feed          *prometheus.CounterVec
	deliveries    prometheus.Counter
	frames        prometheus.Counter
	bytes         prometheus.Counter
	slowConsumers prometheus.Counter
	conflated     prometheus.Counter
	dropped       prometheus.Counter
	rateSkipped   prometheus.Counter
	batch         prometheus.Histogram
	subscriptions prometheus.Gauge
	lastValues    prometheus.Gauge
	latency       prometheus.Histogram
}

// Results of a feed update, the label values of ticker_feed_messages_total.
const (
	resultAccepted   = "accepted"
	resultStale      = "stale"
	resultMalformed  = "malformed"
	resultBadSubject = "bad_subject"
	resultShutdown   = "shutdown"
)

// NewMetrics creates the core's collectors and registers them with reg, which
// may be nil to keep them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		feed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticker_feed_messages_total",
			Help: "Feed updates received from NATS, by result: accepted, stale (not newer than the last value, e.g. a copy through an overlapping pattern), malformed, bad_subject, shutdown.",
		}, []string{"result"}),
		deliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_deliveries_total",
			Help: "Feed updates queued to a subscriber (one per update and connection).",
		}),
		frames: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_frames_written_total",
			Help: "WebSocket frames written to clients; one frame may carry several messages.",
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_written_bytes_total",
			Help: "Payload bytes written to clients in frames.",
		}),
		slowConsumers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_slow_consumer_disconnects_total",
			Help: "Connections closed with 1008 slow consumer: their queue stayed over its byte bound after conflation for the slow timeout or reached twice the bound, or one write to them blocked for the slow timeout.",
		}),
		conflated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_conflated_messages_total",
			Help: "Queued updates dropped for a newer update of the same subject queued behind them, when a connection fell behind.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_dropped_messages_total",
			Help: "Queued updates discarded unwritten because their connection closed (slow consumer, broken or ended).",
		}),
		rateSkipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticker_rate_skipped_total",
			Help: "Live updates never queued because a newer update of their subject replaced them while a subscription's max_rate held them back.",
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ticker_frame_messages",
			Help:    "Messages joined into each frame written to a client.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ticker_subscriptions",
			Help: "Patterns held by connected clients, counted once per connection.",
		}),
		lastValues: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ticker_last_values",
			Help: "Subjects whose last value the gateway keeps for snapshots.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ticker_delivery_latency_seconds",
			Help: "End-to-end latency of live updates, one in 7 sampled: from the publisher's ts to the frame written to the client's socket (clock skew between hosts included; negative values count as 0).",
			// Classic buckets for every Prometheus, native ones where enabled.
			Buckets:                         []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
			NativeHistogramBucketFactor:     1.1,
			NativeHistogramMaxBucketNumber:  160,
			NativeHistogramMinResetDuration: time.Hour,
		}),
	}
	for _, r := range []string{resultAccepted, resultStale, resultMalformed, resultBadSubject, resultShutdown} {
		m.feed.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.feed, m.deliveries, m.frames, m.bytes, m.slowConsumers, m.conflated, m.dropped, m.rateSkipped, m.batch, m.subscriptions, m.lastValues, m.latency)
	}
	return m
}

// observeLatency records the end-to-end latency of one live update, d
// nanoseconds from its publish time to its write.
func (m *Metrics) observeLatency(d int64) {
	m.latency.Observe(float64(max(d, 0)) / float64(time.Second))
}
