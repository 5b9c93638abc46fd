package feed

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ticker-dev/ticker/internal/broker"
)

// startNATS starts the embedded NATS server ticker itself runs, on a free
// loopback port.
func startNATS(t *testing.T) *broker.Embedded {
	t.Helper()
	e, err := broker.StartEmbedded(broker.EmbeddedOptions{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	return e
}

// TestRunNATS publishes through a real nats.go connection to an embedded
// server and checks what a subscriber on another connection receives.
func TestRunNATS(t *testing.T) {
	s := startNATS(t)
	pc, err := nats.Connect(s.ClientURL(), nats.Name("feed-test-pub"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	sc, err := nats.Connect(s.ClientURL(), nats.Name("feed-test-sub"))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()

	var mu sync.Mutex
	var got []update
	sub, err := sc.Subscribe(">", func(m *nats.Msg) {
		mu.Lock()
		got = append(got, update{m.Subject, bytes.Clone(m.Data)})
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		t.Fatal(err)
	}
	if err := sc.Flush(); err != nil { // the subscription is in place
		t.Fatal(err)
	}

	st := runFor(t, 300*time.Millisecond, pc.Publish, Options{Symbols: 20, Games: 4, Rate: 2000, Seed: 5})
	if st.Published == 0 || st.Errors != 0 {
		t.Fatalf("stats %+v", st)
	}
	if err := pc.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if uint64(n) == st.Published {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d updates", n, st.Published)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	quotes, scores := checkUpdates(t, got)
	if len(quotes) == 0 || len(scores) == 0 {
		t.Errorf("received %d quote and %d score subjects", len(quotes), len(scores))
	}
}
