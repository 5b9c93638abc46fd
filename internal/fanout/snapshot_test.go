package fanout

import (
	"slices"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/vmihailenco/msgpack/v5"
)

// snapshotSubjects subscribes a new subscriber to patterns and returns the
// subjects of the snapshots it gets, in order.
func snapshotSubjects(t *testing.T, h *Hub, patterns ...string) []string {
	t.Helper()
	rec := newRecorder()
	s := h.NewSubscriber(rec, codec.JSON)
	t.Cleanup(s.Close)
	if err := s.Subscribe(t.Context(), codec.ID{}, patterns, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	h.settle(t.Context())
	waitUntil(t, s.idle)
	var subjects []string
	for _, m := range decodeAll(t, codec.JSON, rec.messages()) {
		if m.Op == "msg" {
			subjects = append(subjects, m.Data["symbol"].(string))
		}
	}
	return subjects
}

// quoteOf delivers a quote of symbol on quotes.<symbol>.
func quoteOf(t *testing.T, h *Hub, symbol string, seq uint64) {
	t.Helper()
	b, err := msgpack.Marshal(&codec.Quote{Symbol: symbol, Last: 1, Seq: seq, TS: int64(seq)})
	if err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes."+symbol, b)
}

func TestSnapshotsOfAWildcardFollowTheSubjectsThatHaveAValue(t *testing.T) {
	h := newTestHub(t, Options{})
	holder := h.NewSubscriber(newRecorder(), codec.JSON)
	t.Cleanup(holder.Close)
	if err := holder.Subscribe(t.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	quoteOf(t, h, "B", 1)
	quoteOf(t, h, "A", 1)
	h.settle(t.Context())
	for _, tc := range []struct {
		name     string
		publish  string // a new subject first, if set
		patterns []string
		want     []string
	}{
		{"sorted by subject", "", []string{"quotes.>"}, []string{"A", "B"}},
		{"the same list again", "", []string{"quotes.*"}, []string{"A", "B"}},
		{"a subject that gains a value joins the list", "C", []string{"quotes.>"}, []string{"A", "B", "C"}},
		{"once each over overlapping patterns", "", []string{"quotes.B", "quotes.>", "quotes.*"}, []string{"A", "B", "C"}},
		{"a literal and a wildcard", "", []string{"quotes.A", "scores.>"}, []string{"A"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.publish != "" {
				quoteOf(t, h, tc.publish, 1)
				h.settle(t.Context())
			}
			if got := snapshotSubjects(t, h, tc.patterns...); !slices.Equal(got, tc.want) {
				t.Fatalf("snapshots of %v: %v, want %v", tc.patterns, got, tc.want)
			}
		})
	}
}
