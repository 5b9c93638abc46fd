package gateway

import (
	"net"
	"net/http"
	"time"
)

// defaultReadLimit is the largest frame a client may send by default
// (64 KiB); a larger one closes the connection with 1009.
const defaultReadLimit = 64 << 10

// The default accept rate: what one pod on one core takes while it serves
// its established clients (docs/scaling.md measures it).
const (
	defaultAcceptRate    = 2000
	defaultAcceptBurst   = 1000
	defaultAcceptLatency = 20 * time.Millisecond
)

// Limits bound what one client, and all clients together, may take from a
// gateway. A zero field means its default (see DefaultLimits); a negative one
// turns that limit off.
type Limits struct {
	// MaxConns bounds the connections of the gateway; one more is accepted
	// and closed at once with 1013 (try again later).
	MaxConns int
	// MaxConnsPerIP bounds the connections from one source address, as the
	// gateway sees it (a proxy in front counts as one address); one more is
	// closed with 1013.
	MaxConnsPerIP int
	// AcceptRate and AcceptBurst are the token bucket of new connections:
	// AcceptRate per second sustained, AcceptBurst at once. One more is
	// answered at once, a WebSocket with 1013 and an SSE request with 503,
	// with a hint of when to come back (see storm.go), rather than left to
	// time out in its handshake while a reconnect storm is served.
	AcceptRate  float64
	AcceptBurst int
	// AcceptLatency is the scheduling delay that says the gateway is short
	// of CPU: when the 99th percentile of the time its goroutines waited
	// for one, over 100 ms, is above it, the accept rate and burst are
	// halved (not below a twentieth of AcceptRate), and below it they grow
	// back by a twentieth of AcceptRate every 100 ms (see pressure.go).
	// Negative: the rate stays AcceptRate.
	AcceptLatency time.Duration
	// ReadLimit bounds a client's frame in bytes; a larger one closes the
	// connection with 1009.
	ReadLimit int64
	// OpRate and OpBurst are the token bucket of a connection's ops (sub,
	// unsub, ping): OpRate per second sustained, OpBurst at once. An op
	// beyond them is answered with rate_limited and not applied; a client that
	// goes on sending past OpBurst refused ops in a row is closed with 1008.
	OpRate  float64
	OpBurst int
	// IdleTimeout closes, with 1008, a connection that holds no subscription
	// for this long.
	IdleTimeout time.Duration
	// PingInterval is how often the gateway pings each connection;
	// PingTimeout is how long it waits for the pong before it drops the
	// connection as a dead peer.
	PingInterval time.Duration
	PingTimeout  time.Duration
	// RequestTimeout bounds reading and answering a plain HTTP request
	// (/metrics, /healthz, /readyz, the page, a refusal): a client that
	// does not take its answer within it loses the connection. /ws and
	// /sse streams are bounded by it only until they are admitted.
	RequestTimeout time.Duration
	// MaxRequestsPerConn bounds the requests in flight on one connection,
	// streams included; one more is answered 429. HTTP/1.1 has one at a
	// time; HTTP/2 (over TLS) multiplexes.
	MaxRequestsPerConn int
}

// DefaultLimits returns the limits a zero Limits means.
func DefaultLimits() Limits {
	return Limits{
		MaxConns:      10_000,
		MaxConnsPerIP: 5_000,
		AcceptRate:    defaultAcceptRate,
		AcceptBurst:   defaultAcceptBurst,
		AcceptLatency: defaultAcceptLatency,
		ReadLimit:     defaultReadLimit,
		OpRate:        20,
		OpBurst:       50,
		IdleTimeout:   60 * time.Second,
		PingInterval:  30 * time.Second,
		PingTimeout:   10 * time.Second,

		RequestTimeout:     10 * time.Second,
		MaxRequestsPerConn: 100,
	}
}

// withDefaults fills in the zero fields.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	pick := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	pickD := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	pick(&l.MaxConns, d.MaxConns)
	pick(&l.MaxConnsPerIP, d.MaxConnsPerIP)
	pick(&l.OpBurst, d.OpBurst)
	pick(&l.AcceptBurst, d.AcceptBurst)
	pick(&l.MaxRequestsPerConn, d.MaxRequestsPerConn)
	pickD(&l.AcceptLatency, d.AcceptLatency)
	pickD(&l.RequestTimeout, d.RequestTimeout)
	pickD(&l.IdleTimeout, d.IdleTimeout)
	pickD(&l.PingInterval, d.PingInterval)
	pickD(&l.PingTimeout, d.PingTimeout)
	if l.ReadLimit == 0 {
		l.ReadLimit = d.ReadLimit
	}
	if l.OpRate == 0 {
		l.OpRate = d.OpRate
	}
	if l.AcceptRate == 0 {
		l.AcceptRate = d.AcceptRate
	}
	return l
}

// sourceIP is the address a request came from, as counted against
// MaxConnsPerIP.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
