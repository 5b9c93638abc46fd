package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/app"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

func TestLoadFlags(t *testing.T) {
	c, err := parse(t, "load")
	if err != nil {
		t.Fatal(err)
	}
	l := c.Load
	if strings.Join(l.URL, ",") != "ws://127.0.0.1:8080/ws" || l.Conns != 1000 || l.SubsPerConn != 10 || l.Subjects != 100 ||
		l.Prefix != "quotes.L" || l.Codec != "json" || l.NATSURL != "nats://127.0.0.1:4222" || l.Procs != 1 ||
		l.ReconnectJitter != 500*time.Millisecond || l.NoReconnect {
		t.Errorf("defaults: %+v", l)
	}
	t.Setenv("FEEDSIM_CONNS", "7")
	t.Setenv("FEEDSIM_SRC_IPS", "127.0.0.2-127.0.0.4")
	c, err = parse(t, "load", "--url", "ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws", "--codec", "msgpack", "--stall", "12.5",
		"--reconnect-jitter", "2s", "--no-reconnect", "--max-rate", "4", "--delta", "--compression", "context-takeover")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.Load.config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.URLs) != 2 || cfg.Conns != 7 || len(cfg.SrcIPs) != 3 || cfg.Codec != codec.Msgpack || cfg.StallPercent != 12.5 ||
		cfg.ReconnectJitter != 2*time.Second || !cfg.NoReconnect || cfg.MaxRate != 4 || !cfg.Delta || cfg.Compression != "context-takeover" {
		t.Errorf("config %+v", cfg)
	}
	if _, err := parse(t, "load", "--codec", "xml"); err == nil {
		t.Error("--codec xml accepted")
	}
	if _, err := parse(t, "load", "--compression", "gzip"); err == nil {
		t.Error("--compression gzip accepted")
	}
	c, _ = parse(t, "load", "--src-ips", "10.0.0.1")
	if _, err := c.Load.config(); err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Errorf("a remote source address: %v", err)
	}
}

func TestLoadRefusesRemoteTarget(t *testing.T) {
	c, err := parse(t, "load", "--url", "ws://192.0.2.7:8080/ws")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Load.Run(t.Context(), &out); err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Errorf("Run = %v", err)
	}
}

func TestLoadRunAndCompare(t *testing.T) {
	cfg := app.Defaults()
	cfg.Listen, cfg.NATSListen, cfg.Feed, cfg.DrainWindow = "127.0.0.1:0", "127.0.0.1:0", app.FeedOff, 100*time.Millisecond
	a, err := app.Start(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Shutdown(ctx)
	}()
	dir := t.TempDir()
	tickerJSON := filepath.Join(dir, "ticker.json")
	c, err := parse(t, "load", "--url", "ws://"+a.Addr()+"/ws", "--nats-url", a.NATSURL(), "--conns", "6",
		"--subs-per-conn", "2", "--subjects", "4", "--rate", "100", "--duration", "700ms", "--ramp", "0s",
		"--warmup", "0s", "--json", tickerJSON, "--label", "ticker")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Load.Run(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"delivered", "(100.000%)", "latency", "server CPU"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	b, err := os.ReadFile(tickerJSON)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil || r.Delivered == 0 || r.Delivered != r.Expected || r.Label != "ticker" {
		t.Fatalf("JSON report %+v, %v", r, err)
	}

	r.Label = ""
	b, _ = json.Marshal(&r)
	raw := filepath.Join(dir, "raw.json")
	if err := os.WriteFile(raw, b, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = parse(t, "compare", "--raw", raw, "--ticker", tickerJSON)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := c.Compare.Run(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"raw", "ticker", "1.00x", "p99 ms"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, out.String())
		}
	}
}
