package app

import (
	"time"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/gateway"
)

// Config is everything a ticker process is started with. cmd/ticker fills it
// from flags and environment; tests fill it directly. Defaults() holds the
// values the binary uses when nothing is set.
type Config struct {
	Listen     string // HTTP address of the gateway
	NATSURL    string // remote NATS; empty means run the embedded server
	NATSListen string // the embedded server's client address
	DataDir    string // the embedded server's JetStream storage; empty means temporary

	// SnapshotStream names the JetStream stream that keeps every subject's
	// last update for snapshots on every pod; "" or "none" means no stream
	// (snapshots only of updates this gateway has seen).
	SnapshotStream   string
	SnapshotSubjects []string // what the stream captures; empty means quotes.> and scores.>
	SnapshotReplicas int      // the stream's replicas in a NATS cluster; 0 means 1

	Feed        FeedMode
	FeedSymbols int
	FeedGames   int
	FeedRate    float64

	Allow   []string // patterns clients may subscribe within
	MaxSubs int
	// MaxRate caps every sub's max_rate (updates per second per subject),
	// from 0 (no cap) to 1000.
	MaxRate float64
	// Compression is the WebSocket permessage-deflate mode: "off" (or ""),
	// "no-context-takeover" or "context-takeover".
	Compression string
	Limits      gateway.Limits // connections, frames, op rate, idle, keepalive
	// HandshakeTimeout bounds the wait for a whole HTTP request, the
	// WebSocket upgrade included.
	HandshakeTimeout time.Duration
	MaxQueueBytes    int
	SlowTimeout      time.Duration
	MaxBatch         int // messages per frame
	MaxBatchBytes    int // bytes per frame
	FlushInterval    time.Duration
	DrainWindow      time.Duration
	AllowedOrigins   []string
	Auth             auth.Options // JWT; no key file means no auth
	TLSCert          string
	TLSKey           string
}

// FeedMode says whether the built-in simulated feed runs.
type FeedMode int

// Feed modes: FeedAuto runs the feed only with the embedded NATS server.
const (
	FeedAuto FeedMode = iota
	FeedOn
	FeedOff
)

// Defaults returns the configuration of a plain `ticker` run.
func Defaults() Config {
	return Config{
		Listen:           ":8080",
		NATSListen:       "127.0.0.1:4222",
		SnapshotStream:   broker.DefaultStream,
		SnapshotSubjects: broker.DefaultStreamSubjects(),
		SnapshotReplicas: 1,
		FeedSymbols:      50,
		FeedGames:        6,
		FeedRate:         200,
		Allow:            []string{"quotes.>", "scores.>"},
		MaxSubs:          256,
		Compression:      "off",
		Limits:           gateway.DefaultLimits(),
		HandshakeTimeout: 10 * time.Second,
		MaxQueueBytes:    1 << 20,
		SlowTimeout:      5 * time.Second,
		MaxBatch:         256,
		MaxBatchBytes:    64 << 10,
		DrainWindow:      10 * time.Second,
		AllowedOrigins:   []string{"localhost:*", "127.0.0.1:*", "[::1]:*"},
	}
}

func (c Config) feedOn() bool {
	return c.Feed == FeedOn || (c.Feed == FeedAuto && c.NATSURL == "")
}

// stream is the snapshot stream's description, nil when there is none.
func (c Config) stream() *broker.Stream {
	return broker.StreamNamed(c.SnapshotStream, c.SnapshotSubjects, c.SnapshotReplicas)
}
