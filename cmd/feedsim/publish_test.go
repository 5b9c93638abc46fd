package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ticker-dev/ticker/internal/broker"
)

func TestPublishFlags(t *testing.T) {
	c, err := parse(t, "publish")
	if err != nil {
		t.Fatal(err)
	}
	p := c.Publish
	if p.NATSURL != "nats://127.0.0.1:4222" || p.Symbols != 50 || p.Games != 6 || p.Rate != 200 ||
		p.Duration != 0 || strings.Join(p.Leagues, ",") != "nba,nhl" {
		t.Errorf("defaults: %+v", p)
	}

	t.Setenv("FEEDSIM_RATE", "7.5")
	t.Setenv("FEEDSIM_LEAGUES", "nhl,mlb")
	t.Setenv("FEEDSIM_DURATION", "90s")
	t.Setenv("FEEDSIM_SYMBOLS", "3")
	c, err = parse(t, "publish", "--symbols", "4")
	if err != nil {
		t.Fatal(err)
	}
	p = c.Publish
	if p.Rate != 7.5 || strings.Join(p.Leagues, ",") != "nhl,mlb" || p.Duration != 90*time.Second || p.Symbols != 4 {
		t.Errorf("from env and flags: %+v", p)
	}

	for _, args := range [][]string{
		{"publish", "--rate=0"},
		{"publish", "--rate=-5"},
		{"publish", "--symbols=0", "--games=0"},
		{"publish", "--games=-1"},
		{"publish", "--duration=-1s"},
		{"publish", "--reconnect-wait=0"},
	} {
		if _, err := parse(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestPublishOptions(t *testing.T) {
	c := publishCmd{Symbols: 0, Games: 0}
	if o := c.options(); o.Symbols >= 0 || o.Games >= 0 {
		t.Errorf("0 symbols and games map to %d and %d, want none (negative)", o.Symbols, o.Games)
	}
	c = publishCmd{Symbols: 3, Games: 2}
	if o := c.options(); o.Symbols != 3 || o.Games != 2 {
		t.Errorf("3 symbols and 2 games map to %d and %d", o.Symbols, o.Games)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"nats://127.0.0.1:4222":                 "nats://127.0.0.1:4222",
		"nats://u:pw@h:4222,nats://tok@h2:4222": "nats://u:xxxxx@h:4222,nats://xxxxx@h2:4222",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPublishRun(t *testing.T) {
	s, err := broker.StartEmbedded(broker.EmbeddedOptions{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()

	sc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	var received atomic.Int64
	if _, err := sc.Subscribe("quotes.>", func(*nats.Msg) { received.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := sc.Flush(); err != nil {
		t.Fatal(err)
	}

	c, err := parse(t, "publish", "--nats-url", s.ClientURL(), "--rate", "500", "--duration", "300ms", "--games", "0")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Publish.Run(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^published (\d+) updates \(0 errors\) in \S+\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output %q", out.String())
	}
	published, _ := strconv.ParseInt(m[1], 10, 64)
	if published == 0 {
		t.Fatalf("output %q", out.String())
	}
	deadline := time.Now().Add(10 * time.Second)
	for received.Load() != published {
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d updates", received.Load(), published)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPublishConnectFails(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nobody listens there now
	c := publishCmd{NATSURL: "nats://" + addr, Symbols: 1, Rate: 1, ReconnectWait: time.Second}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	err = c.Run(ctx, &out)
	if err == nil || !strings.Contains(err.Error(), "connect to NATS at nats://"+addr) {
		t.Fatalf("Run = %v, want a connect error", err)
	}
	if out.Len() != 0 {
		t.Errorf("output %q", out.String())
	}
}
