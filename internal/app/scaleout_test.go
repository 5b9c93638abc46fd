package app

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/codec"
)

func TestAPodServesSnapshotsOfSubjectsItNeverSaw(t *testing.T) {
	first := startApp(t, nil)
	pub := newPublisher(t, first)
	for i := range 3 {
		pub.quote("AAPL", 100+float64(i))
		pub.score("nba", "g1", i, 0)
		pub.score("nhl", "g2", 0, i)
	}
	waitStored(t, first.NATSURL(), 9)
	// A second pod joins after every update was published: it has seen none.
	second := startApp(t, func(c *Config) { c.NATSURL = first.NATSURL() })

	for _, tc := range []struct {
		name     string
		patterns []string
		want     []string // subjects of the snapshots, in order
	}{
		{"a literal subject", []string{"quotes.AAPL"}, []string{"quotes.AAPL"}},
		{"a wildcard", []string{"scores.*.*"}, []string{"scores.nba.g1", "scores.nhl.g2"}},
		{"overlapping patterns, each subject once", []string{"scores.>", "scores.nba.g1", "quotes.*"},
			[]string{"quotes.AAPL", "scores.nba.g1", "scores.nhl.g2"}},
		{"a subject never published", []string{"quotes.NONE"}, nil},
	} {
		for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
			t.Run(tc.name+"/"+k.String(), func(t *testing.T) {
				c := dial(t, second, k)
				sub(t, c, 1, tc.patterns...)
				for _, subject := range tc.want {
					m := next(t, c, "msg")
					h, err := m.Header()
					if err != nil {
						t.Fatal(err)
					}
					if m.Subject != subject || !m.Snapshot || h.Seq != 3 {
						t.Fatalf("got %s seq %d snapshot=%v, want the snapshot of %s at seq 3", m.Subject, h.Seq, m.Snapshot, subject)
					}
				}
				barrier(t, c, "nothing-else")
			})
		}
	}

	c := dial(t, second, codec.JSON)
	sub(t, c, 1, "quotes.AAPL")
	next(t, c, "msg") // the snapshot
	seq := pub.quote("AAPL", 200)
	if m := next(t, c, "msg"); m.Snapshot || m.Subject != "quotes.AAPL" {
		t.Fatalf("got %+v, want the live update %d", m, seq)
	}
}

func TestPodsOnANATSClusterDeliverEveryUpdateOnceAndFailOver(t *testing.T) {
	cluster := startCluster(t, 3)
	pods := make([]*App, 3)
	for i := range pods {
		pods[i] = startApp(t, func(c *Config) {
			c.NATSURL = cluster.url(i) // each pod on its own node; the others are discovered
			c.SnapshotReplicas = 3
		})
		if got, want := connectedNode(pods[i]), fmt.Sprintf("n%d", i); got != want {
			t.Fatalf("pod %d is on NATS node %s, want %s", i, got, want)
		}
	}
	subjects := make([]string, 20)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("quotes.S%02d", i)
	}
	// Publish before any client: the pods learn these values from the stream.
	pub := &publisher{t: t, nc: connectNode(t, cluster.url(0)), seq: map[string]uint64{}}
	publishRound := func(n int) {
		for range n {
			for _, s := range subjects {
				pub.quote(s[len("quotes."):], 1)
			}
		}
	}
	publishRound(3)
	waitStored(t, cluster.url(1), 3*uint64(len(subjects)))

	var tapes []*tape
	for i, p := range pods {
		for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
			c, tp := dialRecorded(t, p, k, fmt.Sprintf("pod %d %s", i, k))
			if err := c.Sub(testCtx(t), 1, "quotes.>"); err != nil {
				t.Fatal(err)
			}
			tapes = append(tapes, tp)
		}
	}
	for _, tp := range tapes {
		tp.waitLast(t, 3, subjects...)
		for _, s := range subjects {
			if tp.snaps[s] != 3 {
				t.Fatalf("%s: snapshot of %s = %d, want 3 (from the stream)", tp.name, s, tp.snaps[s])
			}
		}
	}
	// Live updates from another node reach every client exactly once.
	pub.nc = connectNode(t, cluster.url(1))
	probe(t, pub, tapes) // interest crosses the routes a moment after a sub
	publishRound(5)
	for _, tp := range tapes {
		tp.waitLast(t, 8, subjects...)
		for _, s := range subjects {
			if got, want := tp.of(s), []uint64{3, 4, 5, 6, 7, 8}; !slices.Equal(got, want) {
				t.Fatalf("%s: %s got seqs %v, want %v", tp.name, s, got, want)
			}
		}
	}

	// Node 2 dies: its pod moves to another node and catches up on what it
	// missed from the stream; every client keeps its socket.
	cluster.nodes[2].Shutdown()
	publishRound(2) // seq 9, 10: pod 2 may miss them live while it moves
	waitMoved(t, pods[2], "n2")
	for _, tp := range tapes {
		tp.waitLast(t, 10, subjects...)
	}
	probe(t, pub, tapes)
	publishRound(2) // seq 11, 12: after the failover, every client gets them
	for i, tp := range tapes {
		tp.waitLast(t, 12, subjects...)
		for _, s := range subjects {
			got := tp.of(s)
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("%s: %s got seqs %v, want each once and in order", tp.name, s, got)
			}
			want := []uint64{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
			if i < 4 && !slices.Equal(got, want) { // pods 0 and 1 never lost NATS
				t.Fatalf("%s: %s got seqs %v, want %v", tp.name, s, got, want)
			}
			if !slices.Contains(got, 11) || !slices.Contains(got, 12) {
				t.Fatalf("%s: %s got seqs %v, want 11 and 12", tp.name, s, got)
			}
		}
		tp.mu.Lock()
		err := tp.err
		tp.mu.Unlock()
		if err != nil {
			t.Fatalf("%s: connection lost: %v", tp.name, err)
		}
	}
}

// probe publishes on quotes.PROBE until every tape has received it: then the
// interest of every pod has reached the publisher's node.
func probe(t *testing.T, pub *publisher, tapes []*tape) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		seq := pub.quote("PROBE", 1)
		time.Sleep(20 * time.Millisecond)
		all := true
		for _, tp := range tapes {
			all = all && tp.last("quotes.PROBE") > 0
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("probe %d did not reach every client in 20s", seq)
		}
	}
}

func connectNode(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// waitMoved waits until a's bus is connected to a node other than gone and
// the pod is ready again.
func waitMoved(t *testing.T, a *App, gone string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if a.bus.Connected() && connectedNode(a) != gone {
			if code, _, _ := httpGet(t, "http://"+a.Addr()+"/readyz"); code == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pod did not leave NATS node %s within 20s", gone)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNATSCarriesOneCopyOfAnUpdatePerPodNotPerClient(t *testing.T) {
	a := startApp(t, nil)
	pub := newPublisher(t, a)
	var tapes []*tape
	for i := range 50 {
		c, tp := dialRecorded(t, a, codec.JSON, fmt.Sprintf("client %d", i))
		patterns := []string{"quotes.>"}
		if i%2 == 0 {
			patterns = append(patterns, "quotes.AAPL") // a second pattern matching the same subject
		}
		if err := c.Sub(testCtx(t), 1, patterns...); err != nil {
			t.Fatal(err)
		}
		tapes = append(tapes, tp)
	}
	probe(t, pub, tapes)
	before := a.bus.Conn().Stats().InMsgs
	const updates = 20
	for i := range updates {
		pub.quote("AAPL", float64(i))
	}
	for _, tp := range tapes {
		tp.waitLast(t, updates, "quotes.AAPL")
	}
	// NATS sends the pod one copy per update and matching pattern (its
	// subscriptions), however many clients hold them; the hub drops the
	// second copy as stale, and every client still gets each update once.
	if got := a.bus.Conn().Stats().InMsgs - before; got != 2*updates {
		t.Fatalf("the pod received %d messages from NATS for %d updates to 50 clients on 2 patterns, want %d", got, updates, 2*updates)
	}
	for _, tp := range tapes {
		if got := tp.of("quotes.AAPL"); len(got) != updates {
			t.Fatalf("%s got %v, want each of %d updates once", tp.name, got, updates)
		}
	}
	if line := metricLine(t, a, "ticker_nats_subscriptions"); line != "ticker_nats_subscriptions 2" {
		t.Fatalf("%q, want one NATS subscription per distinct pattern", line)
	}
}

func TestAMalformedLastValueInTheStreamIsCountedAndNeverServed(t *testing.T) {
	first := startApp(t, nil)
	pub := newPublisher(t, first)
	pub.raw("quotes.BAD", []byte("not msgpack"))
	pub.quote("GOOD", 1)
	waitStored(t, first.NATSURL(), 2)
	second := startApp(t, func(c *Config) { c.NATSURL = first.NATSURL() })

	c := dial(t, second, codec.JSON)
	sub(t, c, 1, "quotes.*")
	if m := next(t, c, "msg"); m.Subject != "quotes.GOOD" || !m.Snapshot {
		t.Fatalf("got %+v, want only the snapshot of quotes.GOOD", m)
	}
	barrier(t, c, "after-snapshots")
	if line := metricLine(t, second, `ticker_feed_messages_total{result="malformed"}`); line != `ticker_feed_messages_total{result="malformed"} 1` {
		t.Fatalf("%q, want the bad value counted once", line)
	}
}

func TestAGatewayStartedBeforeNATSCreatesTheStreamWhenNATSComes(t *testing.T) {
	ns := startNATSEmbedded(t)
	ns.down()
	a := startApp(t, func(c *Config) { c.NATSURL = ns.url() })
	ns.up()
	waitStream(t, ns.url())

	pub := newPublisher(t, a)
	pub.quote("LATE", 1)
	waitStored(t, ns.url(), 1)
	c := dial(t, a, codec.JSON)
	sub(t, c, 1, "quotes.LATE")
	if m := next(t, c, "msg"); m.Subject != "quotes.LATE" || !m.Snapshot {
		t.Fatalf("got %+v, want the snapshot from the stream", m)
	}
}

// waitStream waits until the snapshot stream exists on the server at url.
func waitStream(t *testing.T, url string) {
	t.Helper()
	nc := connectNode(t, url)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := js.Stream(t.Context(), broker.DefaultStream); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("no snapshot stream after 15s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
