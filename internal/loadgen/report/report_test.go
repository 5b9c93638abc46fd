package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// histogramOf holds latencies in µs.
func histogramOf(latenciesUs ...int64) *hdrhistogram.Histogram {
	h := NewHistogram()
	for _, v := range latenciesUs {
		_ = h.RecordValue(v)
	}
	return h
}

// viaJSON is r as a parent reads it from a child.
func viaJSON(t *testing.T, r *Report) *Report {
	t.Helper()
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var decoded Report
	if err := json.Unmarshal(js, &decoded); err != nil {
		t.Fatal(err)
	}
	return &decoded
}

func reportWith(latenciesUs ...int64) *Report {
	h := histogramOf(latenciesUs...)
	r := &Report{Subscribed: 1, Counts: Counts{Delivered: uint64(len(latenciesUs)), Conflated: 1, Lost: 2, Dup: 3},
		Disconnects: map[string]uint64{"1008": 1}, StalledEnd: map[string]uint64{"open": 2}, CPUSeconds: 0.5}
	r.SetHistogram(h)
	return r
}

func TestReportMerge(t *testing.T) {
	a := reportWith(1000, 2000, 3000)
	b := reportWith(100_000)
	total := &Report{}
	for _, r := range []*Report{a, viaJSON(t, b)} { // children send their reports as JSON
		if err := total.Merge(r); err != nil {
			t.Fatal(err)
		}
	}
	total.Seconds = 2
	total.Derive()
	switch {
	case total.Subscribed != 2 || total.Delivered != 4 || total.Conflated != 2 || total.Lost != 4 || total.Dup != 6:
		t.Errorf("counts %+v", total)
	case total.Expected != 10 || total.DeliveredPct != 40 || total.DeliveriesPerSec != 2 || total.CPUPercent != 50:
		t.Errorf("derived %+v", total)
	case total.Disconnects["1008"] != 2 || total.StalledEnd["open"] != 4:
		t.Errorf("codes %v %v", total.Disconnects, total.StalledEnd)
	case total.Latency.Count != 4 || total.Latency.P50 != 2 || total.Latency.Max < 99.9 || total.Latency.Max > 100.1:
		t.Errorf("latency %+v", total.Latency)
	}
	if err := total.Merge(&Report{Histogram: []byte("junk")}); err == nil {
		t.Error("a junk histogram merged")
	}
}

func TestMovesMergeOverProcessesFromTheFirstCloseToTheLastAck(t *testing.T) {
	for _, tt := range []struct {
		name       string
		a, b, want *Moves
	}{
		{"none anywhere", nil, nil, nil},
		{"in one process", nil, &Moves{GoingAway: 2, FirstClose: 1e9, LastResubscribe: 3e9, MaxGapMs: 1500},
			&Moves{GoingAway: 2, FirstClose: 1e9, LastResubscribe: 3e9, MaxGapMs: 1500, SpanMs: 2000}},
		{"in two", &Moves{GoingAway: 1, Resubscribed: 1, FirstClose: 2e9, LastResubscribe: 5e9, MaxGapMs: 3000},
			&Moves{GoingAway: 2, TryAgainLater: 1, Resubscribed: 2, FirstClose: 1e9, LastResubscribe: 4e9, MaxGapMs: 2500},
			&Moves{GoingAway: 3, TryAgainLater: 1, Resubscribed: 3, FirstClose: 1e9, LastResubscribe: 5e9, MaxGapMs: 3000, SpanMs: 4000}},
		{"none back", &Moves{GoingAway: 1, FirstClose: 2e9}, nil, &Moves{GoingAway: 1, FirstClose: 2e9}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			total := &Report{}
			for _, m := range []*Moves{tt.a, tt.b} {
				if err := total.Merge(&Report{Moves: m, Refusals: 2}); err != nil {
					t.Fatal(err)
				}
			}
			got := total.Moves
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) || total.Refusals != 4 {
				t.Errorf("moves %+v, refusals %d; want %+v, 4", got, total.Refusals, tt.want)
			}
		})
	}
}

func TestWriteComparison(t *testing.T) {
	raw := reportWith(1000)
	raw.Label, raw.DeliveriesPerSec = "raw", 1000
	raw.Server = &ServerStats{CPUSecondsPer1M: 4, RSSPerIdleConn: 8192}
	tk := reportWith(500)
	tk.Label, tk.DeliveriesPerSec = "ticker", 2000
	tk.Server = &ServerStats{CPUSecondsPer1M: 1, RSSPerIdleConn: 4096}
	var out bytes.Buffer
	if err := WriteComparison(&out, []*Report{raw, tk, {Label: "empty"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"raw", "ticker", "2.00x", "0.25x", "0.50x", "server CPU s / 1M deliveries"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBytesPerDeliveryCountSnapshotsAsDeliveries(t *testing.T) {
	r := &Report{Counts: Counts{Delivered: 90, Snapshots: 10, PayloadBytes: 20_000, WireBytes: 5_000}}
	r.Derive()
	if r.PayloadPerDelivery != 200 || r.WirePerDelivery != 50 {
		t.Fatalf("payload %v wire %v per delivery", r.PayloadPerDelivery, r.WirePerDelivery)
	}
	var none Report
	none.Derive()
	if none.PayloadPerDelivery != 0 || none.WirePerDelivery != 0 {
		t.Fatal("bytes per delivery without deliveries")
	}
}
