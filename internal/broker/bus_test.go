package broker

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestUpdatesWatchedBeforeStartAreDeliveredAfterItInOrder(t *testing.T) {
	e := startServer(t)
	b, err := Connect(Options{URL: e.ClientURL(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Watch([]string{"quotes.>"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	pub := natsConn(t, e.ClientURL())
	const n = 100
	for i := range n {
		if err := pub.Publish("quotes.S", fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	// The server sent the updates before it answers this round trip, so
	// they are all in the bus, waiting for Start.
	if err := b.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}

	got := make(chan string, n)
	b.Start(func(subject string, payload []byte) { got <- string(payload) }, nil)
	for i := range n {
		select {
		case p := <-got:
			if want := fmt.Sprint(i); p != want {
				t.Fatalf("update %d = %q, want %q", i, p, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d updates delivered", i, n)
		}
	}
}

func TestAFirstConnectionMadeLateBeforeStartGetsItsStreamAfterIt(t *testing.T) {
	addr := freeAddr(t)
	b, err := Connect(Options{URL: "nats://" + addr, Stream: &Stream{}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Connected() {
		t.Fatal("connected with no server")
	}
	e, err := StartEmbedded(EmbeddedOptions{Listen: addr, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	waitUntil(t, "the bus to connect", b.Connected)

	b.Start(func(string, []byte) {}, nil)
	waitUntil(t, "the stream", func() bool { return streamExists(e.ClientURL()) })
}

func TestEveryReconnectAfterStartRecreatesTheStreamAndResyncs(t *testing.T) {
	addr := freeAddr(t)
	e, err := StartEmbedded(EmbeddedOptions{Listen: addr, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { e.Shutdown() }()
	b, err := Connect(Options{URL: e.ClientURL(), Stream: &Stream{}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	resyncs := make(chan struct{}, 8)
	b.Start(func(string, []byte) {}, func(context.Context) { resyncs <- struct{}{} })

	// A server that comes back without its storage has lost the stream.
	e.Shutdown()
	if e, err = StartEmbedded(EmbeddedOptions{Listen: addr, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	waitResync(t, resyncs)
	assertStream(t, e.ClientURL())
	// The connection Connect made missed nothing: no resync came for it
	// (catch-ups run in turn, so it would have come first).
	if n := len(resyncs); n != 0 {
		t.Fatalf("%d resyncs more than the reconnect's: the connection Connect made resynced", n)
	}
}

func TestCloseWorksWithoutStartAndStartAfterCloseDoesNothing(t *testing.T) {
	e := startServer(t)
	b, err := Connect(Options{URL: e.ClientURL(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	b.Close()
	b.Start(func(string, []byte) { t.Error("delivered after Close") }, nil)
	b.Close()
	// TestMain's goleak check shows that Start began no goroutine.
}

func TestStartTwicePanics(t *testing.T) {
	e := startServer(t)
	b, err := Connect(Options{URL: e.ClientURL(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.Start(func(string, []byte) {}, nil)
	defer func() {
		if recover() == nil {
			t.Fatal("a second Start did not panic")
		}
	}()
	b.Start(func(string, []byte) {}, nil)
}

// natsConn is a plain NATS connection for the test.
func natsConn(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// assertStream fails the test unless the default snapshot stream exists.
func assertStream(t *testing.T, url string) {
	t.Helper()
	js, err := jetstream.New(natsConn(t, url))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stream(t.Context(), DefaultStream); err != nil {
		t.Fatalf("stream %s: %v", DefaultStream, err)
	}
}

func waitResync(t *testing.T, resyncs <-chan struct{}) {
	t.Helper()
	select {
	case <-resyncs:
	case <-time.After(20 * time.Second):
		t.Fatal("no resync after 20s")
	}
}

// waitUntil polls cond until it holds, for at most 20s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freeAddr returns a loopback address whose port is free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// streamExists reports whether the server at url has the default stream.
func streamExists(url string) bool {
	nc, err := nats.Connect(url)
	if err != nil {
		return false
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = js.Stream(ctx, DefaultStream)
	return err == nil
}
