package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestAStalledClientIsClosedAsSlowWhileAnotherGetsEveryUpdate(t *testing.T) {
	a := startApp(t, func(c *Config) { c.SlowTimeout = 300 * time.Millisecond })
	stalled := dial(t, a, codec.JSON)
	sub(t, stalled, 1, "quotes.>") // and never reads again
	healthy := dial(t, a, codec.JSON)
	sub(t, healthy, 1, "quotes.>")

	type update struct {
		subject string
		seq     uint64
	}
	got := make(chan update, 1024)
	readErr := make(chan error, 1)
	go func() {
		for {
			m, err := healthy.Next(context.Background())
			if err != nil {
				readErr <- err
				return
			}
			h, err := m.Header()
			if err != nil {
				readErr <- fmt.Errorf("%+v: %w", m, err)
				return
			}
			got <- update{m.Subject, h.Seq}
		}
	}()

	// Publish in chunks, each read in full by the healthy client before the
	// next, until the stalled one has taken all that its socket buffers hold
	// and the gateway has given up on it.
	p := newPublisher(t, a)
	symbols := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	last := map[string]uint64{}
	const chunk, maxUpdates = 400, 400_000
	pad := strings.Repeat("x", 600) // larger updates fill the socket sooner
	published := 0
	for metricLine(t, a, "ticker_slow_consumer_disconnects_total") != "ticker_slow_consumer_disconnects_total 1" {
		if published >= maxUpdates {
			t.Fatalf("the stalled client was not closed after %d updates", published)
		}
		for range chunk {
			symbol := symbols[published%len(symbols)]
			subject := codec.QuoteSubject(symbol)
			p.seq[subject]++
			b, err := msgpack.Marshal(map[string]any{
				"symbol": symbol, "last": 1.0, "seq": p.seq[subject], "ts": time.Now().UnixNano(), "pad": pad,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.nc.Publish(subject, b); err != nil {
				t.Fatal(err)
			}
			published++
		}
		if err := p.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		for received := 0; received < chunk; received++ {
			select {
			case u := <-got:
				if u.seq != last[u.subject]+1 {
					t.Fatalf("healthy client: %s seq %d after %d", u.subject, u.seq, last[u.subject])
				}
				last[u.subject] = u.seq
			case err := <-readErr:
				t.Fatalf("healthy client: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatalf("healthy client stuck after %d updates", published)
			}
		}
	}
	select {
	case err := <-readErr:
		t.Fatalf("healthy client: %v", err)
	default:
	}
	waitFor(t, "the stalled connection's close to be counted", func() bool {
		return metricLine(t, a, `ticker_connections_closed_total{code="1008"}`) == `ticker_connections_closed_total{code="1008"} 1`
	})
}
