package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
)

func TestTwoGatewaysOnOneNATSBothDeliverAFeedsimPublish(t *testing.T) {
	natsAddr, addrA, addrB := freeAddr(t), freeAddr(t), freeAddr(t)
	natsURL := "nats://" + natsAddr
	// A runs the embedded NATS server (its built-in feed forced off); B joins
	// it, configured through the environment twins of the flags.
	start(t, "ticker", nil, "--listen", addrA, "--nats-listen", natsAddr, "--feed=false")
	waitReady(t, addrA)
	start(t, "ticker", []string{"TICKER_LISTEN=" + addrB, "TICKER_NATS_URL=" + natsURL})
	waitReady(t, addrB)

	ctx := testCtx(t, 30*time.Second)
	onA, err := client.Dial(ctx, "ws://"+addrA+"/ws", client.DialOptions{Codec: client.JSON})
	if err != nil {
		t.Fatal(err)
	}
	defer onA.Close()
	onB, err := client.Dial(ctx, "ws://"+addrB+"/ws", client.DialOptions{Codec: client.Msgpack})
	if err != nil {
		t.Fatal(err)
	}
	defer onB.Close()
	for _, c := range []*client.Conn{onA, onB} {
		if err := c.Sub(ctx, 1, "quotes.>", "scores.>"); err != nil {
			t.Fatal(err)
		}
		if m, err := c.Next(ctx); err != nil || m.Op != "ack" {
			t.Fatalf("want ack, got %+v %v", m, err)
		}
	}

	feed := start(t, "feedsim", nil, "publish", "--nats-url", natsURL,
		"--symbols", "5", "--games", "2", "--rate", "200", "--duration", "1s")
	if code := feed.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("feedsim exited %d", code)
	}
	summary := regexp.MustCompile(`published (\d+) updates \(0 errors\)`).FindStringSubmatch(feed.out.String())
	if summary == nil {
		t.Fatalf("no summary in feedsim output: %s", feed.out)
	}
	published, _ := strconv.Atoi(summary[1])

	for name, c := range map[string]*client.Conn{"A (json)": onA, "B (msgpack)": onB} {
		lastSeq := map[string]uint64{}
		for got := 0; got < published; got++ {
			m, err := c.Next(ctx)
			if err != nil {
				t.Fatalf("gateway %s: after %d of %d updates: %v", name, got, published, err)
			}
			h, err := m.Header()
			if m.Op != "msg" || err != nil {
				t.Fatalf("gateway %s: unexpected %+v %v", name, m, err)
			}
			if h.Seq != lastSeq[m.Subject]+1 {
				t.Fatalf("gateway %s: %s seq %d after %d", name, m.Subject, h.Seq, lastSeq[m.Subject])
			}
			lastSeq[m.Subject] = h.Seq
		}
		quotes, scores := 0, 0
		for s := range lastSeq {
			switch {
			case strings.HasPrefix(s, "quotes."):
				quotes++
			case strings.HasPrefix(s, "scores."):
				scores++
			}
		}
		if quotes != 5 || scores != 2 {
			t.Errorf("gateway %s saw %d quote and %d score subjects, want 5 and 2", name, quotes, scores)
		}
	}
}
