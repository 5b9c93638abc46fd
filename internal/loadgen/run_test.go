package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// smallLoad is 20 connections of 3 subjects over 10, at 200 updates/s for
// 2 s: every subject has 6 subscribers.
func smallLoad(wsURL, natsURL string, k codec.Kind) Config {
	return Config{URLs: []string{wsURL}, NATSURL: natsURL, Conns: 20, SubsPerConn: 3, Subjects: 10,
		Rate: 200, Duration: 2 * time.Second, Ramp: 200 * time.Millisecond, Codec: k,
		Logger: slog.New(slog.DiscardHandler)}
}

func run(t *testing.T, cfg Config) *report.Report {
	t.Helper()
	var progress bytes.Buffer
	cfg.Progress = &progress
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	r, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(progress.String(), "conns=") {
		t.Errorf("no progress line: %q", progress.String())
	}
	return r
}

// checkComplete checks a run in which every update reached every live
// subscriber.
func checkComplete(t *testing.T, r *report.Report, live int) {
	t.Helper()
	perSubject := uint64(live * r.SubsPerConn / r.Subjects)
	switch {
	case r.Subscribed != live || r.ConnectErrors != 0:
		t.Errorf("%d subscribed, %d connect errors (%s), want %d", r.Subscribed, r.ConnectErrors, r.FirstConnectError, live)
	case r.Published == 0 || r.PublishErrors != 0:
		t.Errorf("published %d, %d errors", r.Published, r.PublishErrors)
	case r.Delivered != r.Expected || r.Lost != 0 || r.Conflated != 0 || r.Dup != 0:
		t.Errorf("expected %d delivered %d conflated %d lost %d dup %d", r.Expected, r.Delivered, r.Conflated, r.Lost, r.Dup)
	case r.Stalled == 0 && r.Expected != r.Published*perSubject:
		t.Errorf("expected %d, want published %d × %d subscribers", r.Expected, r.Published, perSubject)
	case r.Latency.Count != int64(r.Delivered) || r.Latency.P50 <= 0 || r.Latency.Max < r.Latency.P99:
		t.Errorf("latency %+v for %d delivered", r.Latency, r.Delivered)
	case r.Malformed+r.ProtocolErrors+r.Foreign != 0 || len(r.Disconnects) != 0:
		t.Errorf("malformed %d protocol errors %d foreign %d disconnects %v", r.Malformed, r.ProtocolErrors, r.Foreign, r.Disconnects)
	case r.Seconds <= 0 || r.DeliveriesPerSec <= 0 || r.DeliveredPct != 100 || len(r.Histogram) == 0:
		t.Errorf("derived figures: %+v", r)
	case r.Server == nil || r.Server.RSSEnd <= 0:
		t.Errorf("server stats %+v", r.Server)
	}
	var table bytes.Buffer
	if err := r.WriteTable(&table); err != nil || !strings.Contains(table.String(), "deliveries/s") {
		t.Errorf("table %q, %v", table.String(), err)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Error(err)
	}
}

func TestRunTicker(t *testing.T) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		t.Run(k.String(), func(t *testing.T) {
			ws, nats := startTicker(t)
			r := run(t, smallLoad(ws, nats, k))
			checkComplete(t, r, 20)
			if r.Server.DeliveriesFrom != "server" || r.Server.Deliveries != float64(r.Delivered) {
				t.Errorf("the server counted %v deliveries (%s), the load generator %d",
					r.Server.Deliveries, r.Server.DeliveriesFrom, r.Delivered)
			}
		})
	}
}

func TestRunRawServer(t *testing.T) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		t.Run(k.String(), func(t *testing.T) {
			ws, nats := startRaw(t)
			r := run(t, smallLoad(ws, nats, k))
			checkComplete(t, r, 20)
			if r.Server.DeliveriesFrom != "load generator" {
				t.Errorf("deliveries counted by the %s", r.Server.DeliveriesFrom)
			}
		})
	}
}

func TestRunStalled(t *testing.T) {
	ws, nats := startTicker(t)
	cfg := smallLoad(ws, nats, codec.JSON)
	cfg.StallPercent = 25
	r := run(t, cfg)
	checkComplete(t, r, 15)
	var ended uint64
	for _, n := range r.StalledEnd {
		ended += n
	}
	if r.Stalled != 5 || ended != 5 {
		t.Errorf("%d stalled, ended %v; want 5", r.Stalled, r.StalledEnd)
	}
}

func TestRunProcs(t *testing.T) {
	ws, nats := startTicker(t)
	cfg := smallLoad(ws, nats, codec.Msgpack)
	cfg.Procs = 2
	cfg.Spawn = spawnSelf
	r := run(t, cfg)
	checkComplete(t, r, 20)
	if r.Procs != 2 || r.CPUSeconds <= 0 {
		t.Errorf("procs %d, CPU %v s", r.Procs, r.CPUSeconds)
	}
}

func TestRunSrcIPsAndTwoURLs(t *testing.T) {
	ws1, nats := startTicker(t)
	ws2, _ := startRaw(t) // a server on another NATS: its subscribers get nothing
	ips, err := ParseSrcIPs("127.0.0.2-127.0.0.3")
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallLoad(ws1, nats, codec.JSON)
	cfg.URLs = []string{ws1, ws2}
	cfg.SrcIPs = ips
	r := run(t, cfg)
	// Half the connections wait in vain on the raw server's NATS: their
	// updates are all lost.
	if r.Subscribed != 20 || r.Delivered == 0 || r.Lost == 0 || r.Delivered+r.Lost != r.Expected {
		t.Errorf("subscribed %d delivered %d lost %d expected %d", r.Subscribed, r.Delivered, r.Lost, r.Expected)
	}
	if r.Server == nil || len(r.Server.URLs) != 2 {
		t.Errorf("server stats %+v", r.Server)
	}
}

func TestRunStopsEarly(t *testing.T) {
	ws, nats := startTicker(t)
	cfg := smallLoad(ws, nats, codec.JSON)
	cfg.Duration = time.Hour
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(1500*time.Millisecond, cancel) // a SIGINT
	r, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Seconds >= time.Hour.Seconds() || r.Published == 0 {
		t.Errorf("ran %vs, published %d", r.Seconds, r.Published)
	}
	checkComplete(t, r, 20)
}

func TestRunRefusesRemoteTargets(t *testing.T) {
	base := Config{URLs: []string{"ws://127.0.0.1:1/ws"}, Conns: 1, SubsPerConn: 1, Subjects: 1, Rate: 1, Duration: time.Second}
	for name, change := range map[string]func(*Config){
		"url":     func(c *Config) { c.URLs = []string{"ws://192.0.2.1:8080/ws"} },
		"nats":    func(c *Config) { c.NATSURL = "nats://127.0.0.1:4222,nats://192.0.2.1:4222" },
		"metrics": func(c *Config) { c.MetricsURLs = []string{"http://192.0.2.1/metrics"} },
		"src ip":  func(c *Config) { c.SrcIPs = []net.IP{net.IPv4(192, 0, 2, 1)} },
	} {
		cfg := base
		change(&cfg)
		if _, err := Run(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "not loopback") {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	for name, change := range map[string]func(*Config){
		"subs beyond subjects": func(c *Config) { c.SubsPerConn = 2 },
		"no rate":              func(c *Config) { c.Rate = 0 },
		"stall over 100":       func(c *Config) { c.StallPercent = 101 },
		"procs without spawn":  func(c *Config) { c.Conns, c.Procs = 2, 2 },
	} {
		cfg := base
		change(&cfg)
		if _, err := Run(t.Context(), cfg); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
