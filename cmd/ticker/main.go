// Command ticker is the real-time push gateway: it subscribes to quote and
// score updates on NATS and pushes them to WebSocket clients speaking ticker.v1.
//
// With no flags it runs everything on one machine: an embedded NATS server, a
// built-in simulated feed and the gateway with its dashboard on :8080.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/ticker-dev/ticker/internal/app"
	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/gateway"
)

// cli is the command line; every flag has a TICKER_* environment twin.
type cli struct {
	Listen     string `default:":8080" env:"TICKER_LISTEN" help:"HTTP address of the gateway: /ws, /sse, the dashboard /, /metrics, /healthz, /readyz. Without a host (as :8080) it listens on every interface; the embedded NATS server listens on --nats-listen, loopback only by default."`
	NATSURL    string `name:"nats-url" env:"TICKER_NATS_URL" placeholder:"nats://host:4222" help:"NATS server(s) to use, comma separated. Empty runs an embedded NATS server and, unless --no-feed, the built-in feed."`
	NATSListen string `name:"nats-listen" default:"127.0.0.1:4222" env:"TICKER_NATS_LISTEN" help:"Client address of the embedded NATS server, so feedsim and other gateways on this machine can join (port 0 picks a free one). Loopback by default, so only this machine reaches it."`
	DataDir    string `name:"data-dir" env:"TICKER_DATA_DIR" help:"JetStream storage of the embedded NATS server; empty means a temporary directory removed at exit."`

	SnapshotStream   string   `name:"snapshot-stream" default:"TICKER_LAST" env:"TICKER_SNAPSHOT_STREAM" help:"JetStream stream keeping every subject's last update, so every pod can replay snapshots of subjects it never saw; created when missing. none: no stream (snapshots only of updates this gateway has seen)."`
	SnapshotSubjects []string `name:"snapshot-subjects" default:"quotes.>,scores.>" env:"TICKER_SNAPSHOT_SUBJECTS" help:"Subjects the snapshot stream captures, comma separated."`
	SnapshotReplicas int      `name:"snapshot-replicas" default:"1" env:"TICKER_SNAPSHOT_REPLICAS" help:"Replicas of the snapshot stream when ticker creates it (3 in a NATS cluster of three)."`

	Feed        *bool   `negatable:"" env:"TICKER_FEED" help:"Force the built-in simulated feed on or off (default: on only with the embedded NATS server)."`
	FeedSymbols int     `name:"feed-symbols" default:"50" env:"TICKER_FEED_SYMBOLS" help:"Quote symbols the built-in feed simulates."`
	FeedGames   int     `name:"feed-games" default:"6" env:"TICKER_FEED_GAMES" help:"Live games the built-in feed simulates."`
	FeedRate    float64 `name:"feed-rate" default:"200" env:"TICKER_FEED_RATE" help:"Updates per second the built-in feed publishes over all subjects."`

	Allow            []string      `default:"quotes.>,scores.>" env:"TICKER_ALLOW" help:"Subject patterns clients may subscribe within, comma separated."`
	MaxSubs          int           `name:"max-subs" default:"256" env:"TICKER_MAX_SUBS" help:"Most patterns one connection may hold."`
	MaxRate          float64       `name:"max-rate" default:"0" env:"TICKER_MAX_RATE" help:"Cap on every subscription's max_rate, in updates per second per subject (0 to 1000); a client may only ask for less. 0: no cap."`
	Compression      string        `name:"compression" default:"off" enum:"off,no-context-takeover,context-takeover" env:"TICKER_COMPRESSION" help:"WebSocket permessage-deflate for clients that offer it: off, no-context-takeover or context-takeover (smaller frames for more memory per connection)."`
	MaxQueueBytes    int           `name:"max-queue-bytes" default:"1048576" env:"TICKER_MAX_QUEUE_BYTES" help:"Bound of each connection's outgoing queue in bytes. At the bound the queue is conflated (only the newest update per subject waits); past twice the bound the connection is closed with 1008 slow consumer."`
	SlowTimeout      time.Duration `name:"slow-timeout" default:"5s" env:"TICKER_SLOW_TIMEOUT" help:"How long a connection's queue may stay over its bound after conflation before it is closed with 1008 slow consumer."`
	MaxBatch         int           `name:"max-batch" default:"256" env:"TICKER_MAX_BATCH" help:"Most messages the writer joins into one frame."`
	MaxBatchBytes    int           `name:"max-batch-bytes" default:"65536" env:"TICKER_MAX_BATCH_BYTES" help:"Most bytes the writer joins into one frame (a larger single message is sent whole)."`
	FlushInterval    time.Duration `name:"flush-interval" default:"0" env:"TICKER_FLUSH_INTERVAL" help:"Opt-in write coalescing window: a connection's first pending message waits up to this long so that what follows leaves in the same frame (latency traded for fewer writes). 0 writes at once."`
	MaxConns         int           `name:"max-conns" default:"10000" env:"TICKER_MAX_CONNS" help:"Most connections this gateway serves; one more is closed with 1013 (try again later). -1: no limit."`
	MaxConnsPerIP    int           `name:"max-conns-per-ip" default:"5000" env:"TICKER_MAX_CONNS_PER_IP" help:"Most connections from one source address; one more is closed with 1013. -1: no limit."`
	AcceptRate       float64       `name:"accept-rate" default:"2000" env:"TICKER_ACCEPT_RATE" help:"New connections per second this gateway takes, sustained; one more is closed at once with 1013 and a retry hint (SSE: 503 with Retry-After), so that a reconnect storm is spread instead of timing out. -1: no limit."`
	AcceptBurst      int           `name:"accept-burst" default:"1000" env:"TICKER_ACCEPT_BURST" help:"New connections this gateway takes at once before --accept-rate applies."`
	AcceptLatency    time.Duration `name:"accept-latency" default:"20ms" env:"TICKER_ACCEPT_LATENCY" help:"Scheduling delay (p99 over 100 ms of the time goroutines wait for a CPU) past which the gateway halves --accept-rate and --accept-burst, down to a twentieth; under it they grow back by a twentieth every 100 ms. Keeps a reconnect storm from taking the CPU of the clients already in. -1s: the rate stays."`
	MaxFrameBytes    int64         `name:"max-frame-bytes" default:"65536" env:"TICKER_MAX_FRAME_BYTES" help:"Largest frame a client may send; a larger one closes the connection with 1009."`
	OpRate           float64       `name:"op-rate" default:"20" env:"TICKER_OP_RATE" help:"Ops (sub, unsub, ping, auth) per second a connection may send, sustained; beyond: rate_limited errors, then 1008. -1: no limit."`
	OpBurst          int           `name:"op-burst" default:"50" env:"TICKER_OP_BURST" help:"Ops a connection may send at once before --op-rate applies."`
	IdleTimeout      time.Duration `name:"idle-timeout" default:"60s" env:"TICKER_IDLE_TIMEOUT" help:"A connection that holds no subscription this long is closed with 1008. -1s: never."`
	PingInterval     time.Duration `name:"ping-interval" default:"30s" env:"TICKER_PING_INTERVAL" help:"How often each connection is pinged to detect dead peers. -1s: never."`
	PingTimeout      time.Duration `name:"ping-timeout" default:"10s" env:"TICKER_PING_TIMEOUT" help:"How long a ping may wait for its pong before the connection is dropped as dead."`
	HandshakeTimeout time.Duration `name:"handshake-timeout" default:"10s" env:"TICKER_HANDSHAKE_TIMEOUT" help:"How long a client may take to send a whole HTTP request, the WebSocket upgrade included."`
	RequestTimeout   time.Duration `name:"request-timeout" default:"10s" env:"TICKER_REQUEST_TIMEOUT" help:"How long a plain HTTP request (/metrics, /healthz, /readyz, the page) may take to be read and answered; /ws and /sse only until they are admitted."`
	MaxRequests      int           `name:"max-requests-per-conn" default:"100" env:"TICKER_MAX_REQUESTS_PER_CONN" help:"Most requests in flight on one connection (HTTP/2 multiplexes); one more is answered 429."`
	DrainWindow      time.Duration `name:"drain-window" default:"10s" env:"TICKER_DRAIN_WINDOW" help:"On SIGTERM/SIGINT, close clients with 1001 spread evenly over this window."`
	AllowedOrigins   []string      `name:"allowed-origins" default:"localhost:*,127.0.0.1:*,[::1]:*" env:"TICKER_ALLOWED_ORIGINS" help:"Browser origins (host patterns) allowed besides the gateway's own host."`
	JWTKey           string        `name:"jwt-key" env:"TICKER_JWT_KEY" type:"existingfile" help:"Require a JWT on every connection, checked with this key: a PEM RSA or Ed25519 public key, or a file holding an HMAC secret (32 bytes at least)."`
	JWTJWKSFile      string        `name:"jwt-jwks-file" env:"TICKER_JWT_JWKS_FILE" type:"existingfile" help:"Require a JWT on every connection, checked with the keys of this JSON Web Key Set (by kid)."`
	JWTClaim         string        `name:"jwt-claim" default:"subjects" env:"TICKER_JWT_CLAIM" help:"The token claim listing the subject patterns a client may subscribe to (within --allow)."`
	JWTAudience      string        `name:"jwt-audience" env:"TICKER_JWT_AUDIENCE" help:"When set, a token's aud must contain it."`
	JWTIssuer        string        `name:"jwt-issuer" env:"TICKER_JWT_ISSUER" help:"When set, a token's iss must equal it."`
	TLSCert          string        `name:"tls-cert" env:"TICKER_TLS_CERT" type:"existingfile" help:"TLS certificate (PEM) to serve https and wss; needs --tls-key."`
	TLSKey           string        `name:"tls-key" env:"TICKER_TLS_KEY" type:"existingfile" help:"TLS private key (PEM) for --tls-cert."`

	PprofListen string `name:"pprof-listen" env:"TICKER_PPROF_LISTEN" placeholder:"127.0.0.1:6060" help:"Serve Go's profiles (net/http/pprof, /debug/pprof/) on this address, apart from --listen. Empty: off. Keep it on loopback: a profile shows the process's internals."`

	LogLevel slog.Level `name:"log-level" default:"info" env:"TICKER_LOG_LEVEL" help:"Log level: debug, info, warn or error."`
}

func (c *cli) config() app.Config {
	cfg := app.Config{
		Listen: c.Listen, NATSURL: c.NATSURL, NATSListen: c.NATSListen, DataDir: c.DataDir,
		SnapshotStream: c.SnapshotStream, SnapshotSubjects: c.SnapshotSubjects, SnapshotReplicas: c.SnapshotReplicas,
		FeedSymbols: c.FeedSymbols, FeedGames: c.FeedGames, FeedRate: c.FeedRate,
		Allow: c.Allow, MaxSubs: c.MaxSubs, MaxRate: c.MaxRate, Compression: c.Compression,
		MaxQueueBytes: c.MaxQueueBytes,
		Limits: gateway.Limits{
			MaxConns: c.MaxConns, MaxConnsPerIP: c.MaxConnsPerIP, ReadLimit: c.MaxFrameBytes,
			AcceptRate: c.AcceptRate, AcceptBurst: c.AcceptBurst, AcceptLatency: c.AcceptLatency,
			OpRate: c.OpRate, OpBurst: c.OpBurst, IdleTimeout: c.IdleTimeout,
			PingInterval: c.PingInterval, PingTimeout: c.PingTimeout,
			RequestTimeout: c.RequestTimeout, MaxRequestsPerConn: c.MaxRequests,
		},
		HandshakeTimeout: c.HandshakeTimeout,
		SlowTimeout:      c.SlowTimeout, MaxBatch: c.MaxBatch, MaxBatchBytes: c.MaxBatchBytes,
		FlushInterval: c.FlushInterval, DrainWindow: c.DrainWindow,
		AllowedOrigins: c.AllowedOrigins, TLSCert: c.TLSCert, TLSKey: c.TLSKey,
		Auth: auth.Options{KeyFile: c.JWTKey, JWKSFile: c.JWTJWKSFile, Claim: c.JWTClaim,
			Audience: c.JWTAudience, Issuer: c.JWTIssuer},
	}
	switch {
	case c.Feed == nil:
		cfg.Feed = app.FeedAuto
	case *c.Feed:
		cfg.Feed = app.FeedOn
	default:
		cfg.Feed = app.FeedOff
	}
	return cfg
}

func main() {
	var c cli
	kong.Parse(&c, append(flagMappers(),
		kong.Name("ticker"),
		kong.Description("Real-time push gateway for stock quotes and live sports scores (ticker.v1 over WebSocket)."),
		kong.UsageOnError(),
	)...)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: c.LogLevel}))
	slog.SetDefault(log)
	if c.PprofListen != "" {
		_, stop, err := servePprof(c.PprofListen, log)
		if err != nil {
			log.Error("ticker stopped", "err", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(c.config(), log); err != nil {
		log.Error("ticker stopped", "err", err)
		os.Exit(1)
	}
}

// run starts ticker and drains it on SIGINT or SIGTERM.
func run(cfg app.Config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Start(cfg, log)
	if err != nil {
		return err
	}
	select {
	case err = <-a.Done():
		err = fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
		log.Info("shutting down", "drain_window", cfg.DrainWindow)
	}
	stop() // a second signal kills the process
	sctx, cancel := context.WithTimeout(context.Background(), cfg.DrainWindow+10*time.Second)
	defer cancel()
	if serr := a.Shutdown(sctx); err == nil && serr != nil {
		err = fmt.Errorf("shutdown: %w", serr)
	}
	return err
}
