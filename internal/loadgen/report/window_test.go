package report

import (
	"bytes"
	"strings"
	"testing"
)

func windowOf(latenciesUs ...int64) *Window { return NewWindow(histogramOf(latenciesUs...)) }

func TestTheLatencyWindowsOfMovesAddUpOverProcesses(t *testing.T) {
	a := &Moves{GoingAway: 1, FirstClose: 1e9, Before: windowOf(1000, 1000), Stayed: windowOf(5000)}
	b := &Moves{GoingAway: 1, FirstClose: 2e9, Before: windowOf(1000), Stayed: windowOf(50_000, 60_000)}
	total := &Report{}
	for _, r := range []*Report{{Moves: a}, viaJSON(t, &Report{Moves: b}), {}} { // children send JSON
		if err := total.Merge(r); err != nil {
			t.Fatal(err)
		}
	}
	m := total.Moves
	switch {
	case m.Before == nil || m.Before.Count != 3 || m.Before.Max < 0.99 || m.Before.Max > 1.01:
		t.Errorf("before %+v, want 3 of 1 ms", m.Before)
	case m.Stayed == nil || m.Stayed.Count != 3 || m.Stayed.P99 < 59 || m.Stayed.P99 > 61:
		t.Errorf("stayed %+v, want 3 with p99 60 ms", m.Stayed)
	}
	var out bytes.Buffer
	if err := total.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "while they moved") {
		t.Errorf("the table lacks the windows:\n%s", out.String())
	}
	if err := total.Merge(&Report{Moves: &Moves{Stayed: &Window{Histogram: []byte("junk")}}}); err == nil {
		t.Error("a junk window merged")
	}
}

func TestAWindowWithoutDeliveriesIsLeftOut(t *testing.T) {
	if w := windowOf(); w != nil {
		t.Errorf("window %+v of no latency, want nil", w)
	}
}
