package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/ticker-dev/ticker/internal/loadgen"
)

// loadCmd load-tests ticker (or the reference rawserver) on this machine.
type loadCmd struct {
	URL             []string      `name:"url" default:"ws://127.0.0.1:8080/ws" env:"FEEDSIM_URL" help:"ticker.v1 endpoint(s) to load, ws:// or wss:// and loopback only; repeat or comma-separate for several (connections go round robin)."`
	Conns           int           `default:"1000" env:"FEEDSIM_CONNS" help:"Subscriber connections in all."`
	SubsPerConn     int           `name:"subs-per-conn" default:"10" env:"FEEDSIM_SUBS_PER_CONN" help:"Subjects each connection subscribes to (at most --subjects)."`
	Subjects        int           `default:"100" env:"FEEDSIM_SUBJECTS" help:"Subjects published: <prefix>0000 .. <prefix><subjects-1>."`
	Prefix          string        `default:"quotes.L" env:"FEEDSIM_PREFIX" help:"Prefix of the subjects' names."`
	Rate            float64       `default:"1000" env:"FEEDSIM_RATE" help:"Updates published per second over all subjects (deliveries/s = rate × conns × subs-per-conn / subjects)."`
	Duration        time.Duration `default:"30s" env:"FEEDSIM_DURATION" help:"How long to publish: the measured window."`
	Codec           string        `default:"json" enum:"json,msgpack" env:"FEEDSIM_CODEC" help:"Subprotocol of the connections: json or msgpack."`
	SrcIPs          string        `name:"src-ips" env:"FEEDSIM_SRC_IPS" help:"Loopback source addresses to spread connections over, beyond ~28k ports each: a range 127.0.0.2-127.0.0.9 or a comma list."`
	NATSURL         string        `name:"nats-url" default:"nats://127.0.0.1:4222" env:"FEEDSIM_NATS_URL" help:"NATS to publish on, loopback only (host:port means nats://host:port)."`
	Ramp            time.Duration `default:"5s" env:"FEEDSIM_RAMP" help:"Open the connections evenly over this long."`
	Warmup          time.Duration `default:"2s" env:"FEEDSIM_WARMUP" help:"Idle wait between all subscribed and publishing."`
	Stall           float64       `default:"0" env:"FEEDSIM_STALL" help:"Percentage of connections that subscribe, then never read (reported apart)."`
	MetricsURL      []string      `name:"metrics-url" env:"FEEDSIM_METRICS_URL" help:"Servers' /metrics (http:// or https://) to read CPU and memory from (default: each --url's host; skipped if unreachable)."`
	JSON            string        `name:"json" type:"path" env:"FEEDSIM_JSON" help:"Also write the report to this file as JSON."`
	Procs           int           `default:"1" env:"FEEDSIM_PROCS" help:"Processes to hold the connections, for more than one process's file descriptors allow."`
	Label           string        `default:"" env:"FEEDSIM_LABEL" help:"Name of the run in its report (e.g. raw, ticker)."`
	DialConcurrency int           `name:"dial-concurrency" default:"64" env:"FEEDSIM_DIAL_CONCURRENCY" help:"WebSocket handshakes in flight at once, first dials and moves after a 1001 or 1013 alike."`
	ReconnectJitter time.Duration `name:"reconnect-jitter" default:"500ms" env:"FEEDSIM_RECONNECT_JITTER" help:"A connection the server closes with 1001 (going away) reconnects to another --url, at random, after a random delay up to this (full jitter), and subscribes again; one refused with 1013 waits up to the server's retry hint (or an exponential backoff) first."`
	NoReconnect     bool          `name:"no-reconnect" env:"FEEDSIM_NO_RECONNECT" help:"Do not reconnect connections closed with 1001 or 1013 after subscribing: count them as disconnects."`
	MaxRate         float64       `name:"max-rate" default:"0" env:"FEEDSIM_MAX_RATE" help:"Subscribe with max_rate: at most this many updates per second per subject (0: unlimited)."`
	Delta           bool          `name:"delta" env:"FEEDSIM_DELTA" help:"Subscribe with \"delta\":true: field deltas (counted as deliveries)."`
	Compression     string        `default:"off" enum:"off,no-context-takeover,context-takeover" env:"FEEDSIM_COMPRESSION" help:"Offer permessage-deflate: off, no-context-takeover or context-takeover (see the wire bytes per delivery in the report)."`
}

// config maps the flags to a load configuration.
func (c *loadCmd) config() (loadgen.Config, error) {
	k, err := loadgen.ParseCodec(c.Codec)
	if err != nil {
		return loadgen.Config{}, err
	}
	ips, err := loadgen.ParseSrcIPs(c.SrcIPs)
	if err != nil {
		return loadgen.Config{}, fmt.Errorf("--src-ips: %w", err)
	}
	return loadgen.Config{
		URLs: c.URL, Conns: c.Conns, SubsPerConn: c.SubsPerConn, Subjects: c.Subjects, Prefix: c.Prefix,
		Rate: c.Rate, Duration: c.Duration, Ramp: c.Ramp, Warmup: c.Warmup, Codec: k, SrcIPs: ips,
		NATSURL: c.NATSURL, StallPercent: c.Stall, MetricsURLs: c.MetricsURL, Procs: c.Procs,
		Label: c.Label, DialConcurrency: c.DialConcurrency, ReconnectJitter: c.ReconnectJitter, NoReconnect: c.NoReconnect,
		MaxRate: c.MaxRate, Delta: c.Delta, Compression: c.Compression,
		Progress: os.Stderr, Logger: slog.Default(), Spawn: spawnLoadChild,
	}, nil
}

// Run runs the load and prints its report to out (and --json); a run cut
// short by an error still prints what it measured.
func (c *loadCmd) Run(ctx context.Context, out io.Writer) error {
	cfg, err := c.config()
	if err != nil {
		return err
	}
	r, err := loadgen.Run(ctx, cfg)
	if r == nil {
		return err
	}
	if terr := r.WriteTable(out); err == nil {
		err = terr
	}
	if c.JSON != "" {
		if jerr := writeJSON(c.JSON, r); err == nil {
			err = jerr
		}
	}
	return err
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	return nil
}

// spawnLoadChild starts this binary as a load child process. It gets a
// process group of its own, so that a Ctrl-C reaches only the parent, which
// then stops its children in order.
func spawnLoadChild() *exec.Cmd {
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	cmd := exec.Command(self, "load-child")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// loadChildCmd is the child side of load --procs; it is not for people.
type loadChildCmd struct{}

// Run serves the parent over standard input and output until it says close.
func (loadChildCmd) Run(ctx context.Context) error {
	return loadgen.RunChild(context.WithoutCancel(ctx), os.Stdin, os.Stdout)
}
