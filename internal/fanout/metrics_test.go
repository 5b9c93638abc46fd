package fanout

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestDeliveryLatencyCountsLiveUpdatesFromTheirPublishTime(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := newTestHub(t, Options{Metrics: NewMetrics(reg)})
	old := newRecorder()
	s1 := h.NewSubscriber(old, codec.JSON)
	defer s1.Close()
	if err := s1.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	published := time.Now().Add(-200 * time.Millisecond)
	h.Deliver("quotes.X", quoteAt(t, 1, published))
	old.waitMessages(t, 2) // ack, live

	rec := newRecorder()
	s2 := h.NewSubscriber(rec, codec.JSON)
	defer s2.Close()
	if err := s2.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	rec.waitMessages(t, 2) // ack, snapshot: not a delivery to time

	count, sum := histogram(t, reg, "ticker_delivery_latency_seconds")
	if count != 1 {
		t.Fatalf("observations = %d, want 1 (the live update, not the snapshot)", count)
	}
	if sum < 0.2 || sum > 60 {
		t.Fatalf("latency = %vs, want at least the 0.2s since its publish time", sum)
	}
}

func TestDeliveryLatencyIsSampledFromTheFirstLiveUpdateOnOneInSeven(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	msg, err := newMessage("quotes.X", quoteAt(t, 1, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer msg.release()
	var batch []item
	for range 2*latencyEvery + 1 {
		batch = append(batch, item{m: msg, live: true}, item{m: msg}) // a snapshot between lives
	}
	var wr writer
	wr.sampleLatency(m, clock{}, batch[:1])
	wr.sampleLatency(m, clock{}, batch[1:])
	if count, _ := histogram(t, reg, "ticker_delivery_latency_seconds"); count != 3 {
		t.Fatalf("observations = %d of %d live updates, want 3: the 1st, 8th and 15th", count, 2*latencyEvery+1)
	}
}

func quoteAt(t testing.TB, seq uint64, ts time.Time) []byte {
	b, err := msgpack.Marshal(&codec.Quote{Symbol: "X", Last: 1, Seq: seq, TS: ts.UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// histogram returns the sample count and sum of the histogram called name.
func histogram(t *testing.T, g prometheus.Gatherer, name string) (uint64, float64) {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			h := f.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), h.GetSampleSum()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0, 0
}
