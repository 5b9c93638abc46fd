package report

import (
	"maps"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Report is what a load run measured. Counts are over the measured window
// (publishing, then the wait for the last deliveries) and over the live
// connections: stalled ones are counted apart.
type Report struct {
	Label       string   `json:"label,omitempty"`
	URLs        []string `json:"urls"`
	Codec       string   `json:"codec"`
	Procs       int      `json:"procs"`
	Conns       int      `json:"conns"`      // asked for
	Subscribed  int      `json:"subscribed"` // subscribed and reading
	Stalled     int      `json:"stalled"`    // subscribed, then never read
	SubsPerConn int      `json:"subs_per_conn"`
	Subjects    int      `json:"subjects"`
	Rate        float64  `json:"rate"`
	Seconds     float64  `json:"seconds"` // publishing time

	Published     uint64 `json:"published"`
	PublishErrors uint64 `json:"publish_errors"`
	// Expected is, over every update published, the live connections that
	// held its subject: Delivered + Conflated + Lost.
	Expected         uint64  `json:"expected"`
	DeliveredPct     float64 `json:"delivered_pct"`
	DeliveriesPerSec float64 `json:"deliveries_per_sec"`
	// PayloadPerDelivery and WirePerDelivery are PayloadBytes and WireBytes
	// over Delivered + Snapshots: what an update costs, before and after
	// compression.
	PayloadPerDelivery float64 `json:"payload_bytes_per_delivery"`
	WirePerDelivery    float64 `json:"wire_bytes_per_delivery"`
	Counts

	Latency   Latency `json:"latency_ms"`
	Histogram []byte  `json:"histogram,omitempty"` // HdrHistogram V2 compressed, µs

	ConnectErrors     uint64            `json:"connect_errors"` // dials and subscriptions that failed, reconnections included
	FirstConnectError string            `json:"first_connect_error,omitempty"`
	Disconnects       map[string]uint64 `json:"disconnects"` // live connections the server ended for good, by close code
	Reconnects        uint64            `json:"reconnects"`  // connections closed with 1001 or 1013 that subscribed again elsewhere
	// Refusals are connection attempts the servers refused for now (1013,
	// or HTTP 503 before the handshake), each retried after a backoff; they
	// are not connect errors.
	Refusals   uint64            `json:"refusals"`
	Moves      *Moves            `json:"moves,omitempty"` // the connections that moved after a 1001 or 1013; nil: none
	StalledEnd map[string]uint64 `json:"stalled_end"`     // how stalled connections ended: close code, or "open"

	CPUSeconds float64      `json:"cpu_seconds"` // the load generator's, over the window
	CPUPercent float64      `json:"cpu_percent"` // of one core
	Server     *ServerStats `json:"server,omitempty"`

	hist *hdrhistogram.Histogram
}

// Counts are what the live connections received, added up over
// connections and processes.
type Counts struct {
	Delivered      uint64 `json:"delivered"`
	Conflated      uint64 `json:"conflated"` // skipped by the server, a newer update arrived
	Lost           uint64 `json:"lost"`      // never arrived, nor anything newer
	Dup            uint64 `json:"dup"`       // repeated or out of order
	Snapshots      uint64 `json:"snapshots"`
	Malformed      uint64 `json:"malformed"`
	ProtocolErrors uint64 `json:"protocol_errors"`
	Foreign        uint64 `json:"foreign"` // updates of subjects not subscribed
	Deltas         uint64 `json:"deltas"`  // of Delivered, those that came as field deltas
	Revoked        uint64 `json:"revoked"` // revoked messages
	// PayloadBytes are the message bytes received (after permessage-deflate
	// inflated them); WireBytes the bytes read from the TCP sockets. Both
	// over the connections' whole lives: handshakes, acks and snapshots too.
	PayloadBytes uint64 `json:"payload_bytes"`
	WireBytes    uint64 `json:"wire_bytes"`
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Delivered += o.Delivered
	c.Conflated += o.Conflated
	c.Lost += o.Lost
	c.Dup += o.Dup
	c.Snapshots += o.Snapshots
	c.Malformed += o.Malformed
	c.ProtocolErrors += o.ProtocolErrors
	c.Foreign += o.Foreign
	c.Deltas += o.Deltas
	c.Revoked += o.Revoked
	c.PayloadBytes += o.PayloadBytes
	c.WireBytes += o.WireBytes
}

// Latency summarises end-to-end latency (receive time - publish ts) in
// milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// Derive computes the figures that follow from the counts and Seconds.
func (r *Report) Derive() {
	r.Expected = r.Delivered + r.Conflated + r.Lost
	r.DeliveredPct = 0
	if r.Expected > 0 {
		r.DeliveredPct = 100 * float64(r.Delivered) / float64(r.Expected)
	}
	r.PayloadPerDelivery, r.WirePerDelivery = 0, 0
	if n := r.Delivered + r.Snapshots; n > 0 {
		r.PayloadPerDelivery = float64(r.PayloadBytes) / float64(n)
		r.WirePerDelivery = float64(r.WireBytes) / float64(n)
	}
	r.DeliveriesPerSec, r.CPUPercent = 0, 0
	if r.Seconds > 0 {
		r.DeliveriesPerSec = float64(r.Delivered) / r.Seconds
		r.CPUPercent = 100 * r.CPUSeconds / r.Seconds
	}
}

// Merge adds the subscriber side of o (a child process's report) to r:
// counts, connections, latencies, disconnects and CPU time.
func (r *Report) Merge(o *Report) error {
	h, err := r.histogram()
	if err != nil {
		return err
	}
	oh, err := o.histogram()
	if err != nil {
		return err
	}
	h.Merge(oh)
	r.Subscribed += o.Subscribed
	r.Stalled += o.Stalled
	r.Counts.Add(o.Counts)
	r.ConnectErrors += o.ConnectErrors
	r.Reconnects += o.Reconnects
	r.Refusals += o.Refusals
	if r.Moves, err = r.Moves.merge(o.Moves); err != nil {
		return err
	}
	if r.FirstConnectError == "" {
		r.FirstConnectError = o.FirstConnectError
	}
	r.Disconnects = addCounts(r.Disconnects, o.Disconnects)
	r.StalledEnd = addCounts(r.StalledEnd, o.StalledEnd)
	r.CPUSeconds += o.CPUSeconds
	r.SetHistogram(h)
	r.Derive()
	return nil
}

func addCounts(a, b map[string]uint64) map[string]uint64 {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]uint64{}
	}
	for k, v := range b {
		out[k] += v
	}
	return out
}
