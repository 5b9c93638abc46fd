package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ticker-dev/ticker/internal/broker"
)

// natsCluster is a NATS cluster of in-process servers routed together, with
// clustered JetStream, as a production deployment runs it.
type natsCluster struct {
	t     *testing.T
	nodes []*server.Server
}

// startCluster starts n routed NATS servers with JetStream on loopback and
// waits until JetStream has a meta leader. They stop at the end of the test.
func startCluster(t *testing.T, n int) *natsCluster {
	t.Helper()
	routes := make([]string, n)
	for i := range routes {
		routes[i] = freeLoopbackAddr(t)
	}
	c := &natsCluster{t: t}
	for i := range n {
		host, port := splitAddr(t, routes[i])
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			NoSigs:     true,
			Cluster:    server.ClusterOpts{Name: "ticker-test", Host: host, Port: port},
		}
		for j, r := range routes {
			if j != i {
				opts.Routes = append(opts.Routes, server.RoutesFromStr("nats://"+r)...)
			}
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		c.nodes = append(c.nodes, s)
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	}
	for _, s := range c.nodes {
		if !s.ReadyForConnections(20 * time.Second) {
			t.Fatalf("%s not ready", s.Name())
		}
	}
	c.waitJetStream()
	return c
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, port, ok := strings.Cut(addr, ":")
	if !ok {
		t.Fatalf("address %q", addr)
	}
	var p int
	if _, err := fmt.Sscan(port, &p); err != nil {
		t.Fatal(err)
	}
	return host, p
}

// url is the client URL of node i.
func (c *natsCluster) url(i int) string { return c.nodes[i].ClientURL() }

// waitJetStream waits until the cluster can create a stream of three
// replicas: its JetStream has elected a meta leader and every node is in.
func (c *natsCluster) waitJetStream() {
	c.t.Helper()
	nc, err := nats.Connect(c.url(0))
	if err != nil {
		c.t.Fatal(err)
	}
	defer nc.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := broker.EnsureStream(ctx, nc, broker.Stream{Replicas: len(c.nodes)})
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("clustered JetStream not ready after 30s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitStored waits until the snapshot stream, as the node at url sees it,
// holds at least n messages in all (it stores a publish a moment later).
func waitStored(t *testing.T, url string, n uint64) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var last uint64
		if st, err := js.Stream(t.Context(), broker.DefaultStream); err == nil {
			if info, err := st.Info(t.Context()); err == nil {
				last = info.State.LastSeq
			}
		}
		if last >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the snapshot stream holds %d messages after 15s, want %d", last, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// connectedNode returns the name of the NATS server an app's bus uses.
func connectedNode(a *App) string { return a.bus.Conn().ConnectedServerName() }
