package app

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// traffic publishes quotes and scores round robin over subjects at a steady
// rate, each subject's seq going up by one per update, until stopped. It
// keeps publishing while NATS is away: those updates fail and are lost (the
// connection buffers nothing), their seqs skipped.
type traffic struct {
	subjects  []string
	published atomic.Int64
	failed    atomic.Int64
	stopOnce  sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
	nc        *nats.Conn
}

// startTraffic publishes perTick updates every tick on natsURL; it stops at
// the end of the test if not before.
func startTraffic(t *testing.T, natsURL string, subjects []string, perTick int, tick time.Duration) *traffic {
	t.Helper()
	nc, err := nats.Connect(natsURL, nats.Name("test publisher"),
		nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond), nats.ReconnectJitter(0, 0),
		nats.ReconnectBufSize(-1),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})) // failures are counted, not printed
	if err != nil {
		t.Fatalf("publisher: %v", err)
	}
	tr := &traffic{subjects: subjects, done: make(chan struct{}), nc: nc}
	tr.wg.Add(1)
	go tr.run(perTick, tick)
	t.Cleanup(tr.stop)
	return tr
}

func (tr *traffic) run(perTick int, tick time.Duration) {
	defer tr.wg.Done()
	seq := make([]uint64, len(tr.subjects))
	tk := time.NewTicker(tick)
	defer tk.Stop()
	for i := 0; ; {
		select {
		case <-tr.done:
			return
		case <-tk.C:
		}
		for range perTick {
			n := i % len(tr.subjects)
			i++
			seq[n]++
			b, _ := msgpack.Marshal(update(tr.subjects[n], seq[n]))
			if err := tr.nc.Publish(tr.subjects[n], b); err != nil {
				tr.failed.Add(1)
				continue
			}
			tr.published.Add(1)
		}
	}
}

// stop ends publishing and closes the connection; it may be called again.
func (tr *traffic) stop() {
	tr.stopOnce.Do(func() {
		close(tr.done)
		tr.wg.Wait()
		tr.nc.Close()
	})
}

// bulkPad is the size of a bulk.* update's padding.
const bulkPad = 8 << 10

// update is the full state of subject as of seq, published now: a quote, a
// score, or for bulk.* a large update that fills a stalled client's socket
// buffers in seconds, not minutes.
func update(subject string, seq uint64) any {
	now := time.Now().UnixNano()
	if strings.HasPrefix(subject, "bulk.") {
		return map[string]any{"seq": seq, "ts": now, "pad": strings.Repeat("x", bulkPad)}
	}
	if league, game, ok := strings.Cut(strings.TrimPrefix(subject, "scores."), "."); ok && strings.HasPrefix(subject, "scores.") {
		return &codec.Score{League: league, Game: game, Home: "BOS", Away: "LAL", HomeScore: int(seq), Period: 1,
			Clock: "12:00", Status: "live", Seq: seq, TS: now}
	}
	symbol := strings.TrimPrefix(subject, "quotes.")
	return &codec.Quote{Symbol: symbol, Bid: 99.99, Ask: 100.01, Last: 100, Size: 100, Volume: int64(seq) * 100, Seq: seq, TS: now}
}

// metricSum adds up every series of the metric name (all label values).
func metricSum(t *testing.T, a *App, name string) float64 {
	t.Helper()
	_, body, _ := httpGet(t, "http://"+a.Addr()+"/metrics")
	var sum float64
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}

// status is the HTTP status of GET path on the gateway, or 0 when the
// request failed.
func status(a *App, path string) int {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + a.Addr() + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitUntil polls cond until it holds, failing after within. It asserts
// nothing about how long that takes and returns how long it did.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("gave up waiting %v for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
