package app

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestHealthReadinessMetricsAndPageAreServed(t *testing.T) {
	a := startApp(t, nil)
	base := "http://" + a.Addr()
	if code, _, _ := httpGet(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz %d", code)
	}
	waitFor(t, "readiness", func() bool { code, _, _ := httpGet(t, base+"/readyz"); return code == http.StatusOK })
	code, body, hdr := httpGet(t, base+"/")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, "<title>ticker</title>") {
		t.Errorf("/ answered %d %q", code, hdr.Get("Content-Type"))
	}

	pub := newPublisher(t, a)
	c := dial(t, a, codec.JSON)
	sub(t, c, 1, "quotes.AAPL")
	pub.quote("AAPL", 1)
	next(t, c, "msg")
	_, all, _ := httpGet(t, base+"/metrics")
	for _, want := range []string{
		`ticker_connections{codec="json"} 1`,
		`ticker_connections_opened_total 1`,
		`ticker_deliveries_total 1`,
		`ticker_nats_subscriptions 1`,
		`ticker_nats_connected 1`,
		`ticker_feed_messages_total{result="accepted"} 1`,
	} {
		if !strings.Contains(all, "\n"+want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, std := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(all, std) {
			t.Errorf("metrics lack the standard %s", std)
		}
	}
}

func TestTheNATSSubscriptionGoesWhenTheLastClientOfAPatternLeaves(t *testing.T) {
	a := startApp(t, nil)
	before := a.embedded.Subscriptions()
	c1 := dial(t, a, codec.JSON)
	c2 := dial(t, a, codec.Msgpack)
	sub(t, c1, 1, "quotes.AAPL", "scores.>")
	sub(t, c2, 1, "quotes.AAPL")
	if got := a.Hub().Patterns(); got != 2 {
		t.Fatalf("watching %d patterns, want 2", got)
	}
	if got := metricLine(t, a, "ticker_nats_subscriptions"); got != "ticker_nats_subscriptions 2" {
		t.Fatalf("%q, want 2 NATS subscriptions", got)
	}
	if got := a.embedded.Subscriptions() - before; got != 2 {
		t.Fatalf("the NATS server holds %d more subscriptions, want 2", got)
	}
	_ = c1.Close()
	waitFor(t, "scores.> to be dropped", func() bool {
		return metricLine(t, a, "ticker_nats_subscriptions") == "ticker_nats_subscriptions 1"
	})
	_ = c2.Close()
	waitFor(t, "quotes.AAPL to be dropped", func() bool {
		return metricLine(t, a, "ticker_nats_subscriptions") == "ticker_nats_subscriptions 0"
	})
	if got := a.Hub().Patterns(); got != 0 {
		t.Fatalf("hub still watches %d patterns", got)
	}
	waitFor(t, "the NATS server to drop them", func() bool { return a.embedded.Subscriptions() == before })
}

// waitFor polls cond until it holds, failing after 10 seconds. It waits for
// something to happen; it asserts nothing about how long that takes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
