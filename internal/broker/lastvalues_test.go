package broker

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// startServer runs an embedded NATS server with JetStream for one test.
func startServer(t *testing.T) *Embedded {
	t.Helper()
	e, err := StartEmbedded(EmbeddedOptions{Listen: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	return e
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// connectBus connects a bus with the default snapshot stream and makes sure
// the stream exists.
func connectBus(t *testing.T, url string) *Bus {
	t.Helper()
	b, err := Connect(Options{URL: url, Stream: &Stream{}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.EnsureStream(t.Context()); err != nil {
		t.Fatal(err)
	}
	return b
}

// publish puts one message on each subject, twice: the stream keeps the
// second ("v2").
func publish(t *testing.T, nc *nats.Conn, subjects ...string) {
	t.Helper()
	for _, v := range []string{"v1", "v2"} {
		for _, s := range subjects {
			if err := nc.Publish(s, []byte(v+" "+s)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	waitStored(t, nc, uint64(2*len(subjects)))
}

// waitStored waits until the snapshot stream has taken n messages in all:
// the stream stores what is published on its subjects a moment later.
func waitStored(t *testing.T, nc *nats.Conn, n uint64) {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := js.Stream(t.Context(), DefaultStream)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.State.LastSeq >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stream took %d messages in 10s, want %d", info.State.LastSeq, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// collect returns what LastValues hands over, by subject.
func collect(t *testing.T, b *Bus, patterns ...string) (map[string]string, error) {
	t.Helper()
	var mu sync.Mutex
	got := map[string]string{}
	err := b.LastValues(t.Context(), patterns, func(subject string, payload []byte) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := got[subject]; dup {
			t.Errorf("%s handed over twice", subject)
		}
		got[subject] = string(payload)
	})
	return got, err
}

func symbols(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("quotes.S%04d", i)
	}
	return out
}

func TestLastValuesReplaysTheNewestUpdateOfEveryMatchingSubject(t *testing.T) {
	e := startServer(t)
	b := connectBus(t, e.ClientURL())
	// 1100 symbols: more than one batched direct get may answer (1024), so
	// quotes.> is read through the consumer fallback.
	many := symbols(1100)
	publish(t, b.Conn(), append(many, "scores.nba.g1", "scores.nhl.g2")...)
	if err := b.Conn().Publish("news.x", []byte("not in the stream")); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		patterns []string
		want     []string
	}{
		{"literal subjects", []string{"quotes.S0001", "scores.nba.g1"}, []string{"quotes.S0001", "scores.nba.g1"}},
		{"a wildcard", []string{"scores.*.*"}, []string{"scores.nba.g1", "scores.nhl.g2"}},
		{"overlapping patterns, each subject once", []string{"scores.>", "scores.nba.*", "scores.nba.g1"}, []string{"scores.nba.g1", "scores.nhl.g2"}},
		{"a subject never published", []string{"quotes.NONE"}, nil},
		{"a pattern outside the stream", []string{"news.>"}, nil},
		{"more subjects than one direct get returns", []string{"quotes.>"}, many},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := collect(t, b, tc.patterns...)
			if err != nil {
				t.Fatal(err)
			}
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, tc.want) {
				t.Fatalf("subjects = %d %.200q, want %d %.200q", len(keys), keys, len(tc.want), tc.want)
			}
			for s, p := range got {
				if p != "v2 "+s {
					t.Fatalf("%s = %q, want its last update", s, p)
				}
			}
		})
	}
}

func TestEnsureStreamIsIdempotentAndChecksTheStreamItFinds(t *testing.T) {
	e := startServer(t)
	nc, err := nats.Connect(e.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx := t.Context()
	for range 2 {
		if err := EnsureStream(ctx, nc, Stream{}); err != nil {
			t.Fatal(err)
		}
	}
	err = EnsureStream(ctx, nc, Stream{Subjects: []string{"quotes.>", "scores.>", "odds.>"}})
	if err == nil || !strings.Contains(err.Error(), `not "odds.>"`) {
		t.Fatalf("err = %v, want one naming the subject the stream lacks", err)
	}
}

func TestEnsureStreamSaysHowToEnableJetStream(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(10e9) {
		t.Fatal("server not ready")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	err = EnsureStream(context.Background(), nc, Stream{})
	if err == nil || !strings.Contains(err.Error(), "nats-server -js") || !strings.Contains(err.Error(), "--snapshot-stream=none") {
		t.Fatalf("err = %v, want one that says how to enable JetStream or turn the stream off", err)
	}
}

func TestLastValuesWithoutAStreamDoesNothing(t *testing.T) {
	e := startServer(t)
	b, err := Connect(Options{URL: e.ClientURL(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := collect(t, b, "quotes.>")
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want nothing", got, err)
	}
}
