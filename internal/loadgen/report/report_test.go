package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func reportWith(latenciesUs ...int64) *Report {
	h := NewHistogram()
	for _, v := range latenciesUs {
		_ = h.RecordValue(v)
	}
	r := &Report{Subscribed: 1, Counts: Counts{Delivered: uint64(len(latenciesUs)), Conflated: 1, Lost: 2, Dup: 3},
		Disconnects: map[string]uint64{"1008": 1}, StalledEnd: map[string]uint64{"open": 2}, CPUSeconds: 0.5}
	r.SetHistogram(h)
	return r
}

func TestReportMerge(t *testing.T) {
	a := reportWith(1000, 2000, 3000)
	b := reportWith(100_000)
	// Children send their reports as JSON.
	js, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var decoded Report
	if err := json.Unmarshal(js, &decoded); err != nil {
		t.Fatal(err)
	}
	total := &Report{}
	for _, r := range []*Report{a, &decoded} {
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
