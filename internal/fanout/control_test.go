package fanout

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// controlled is one JSON message of a rated or delta subscription.
type controlled struct {
	Op      string         `json:"op" msgpack:"op"`
	Delta   bool           `json:"delta" msgpack:"delta"`
	MaxRate float64        `json:"max_rate" msgpack:"max_rate"`
	Data    map[string]any `json:"data" msgpack:"data"`
}

func decodeControlled(t *testing.T, msgs []string) []controlled {
	t.Helper()
	out := make([]controlled, len(msgs))
	for i, m := range msgs {
		if err := json.Unmarshal([]byte(m), &out[i]); err != nil {
			t.Fatalf("message %d %q: %v", i, m, err)
		}
	}
	return out
}

func subscribeWith(t *testing.T, h *Hub, k codec.Kind, opts SubOptions, patterns ...string) *recorder {
	t.Helper()
	rec := newRecorder()
	s := h.NewSubscriber(rec, k)
	t.Cleanup(s.Close)
	if err := s.Subscribe(t.Context(), codec.IntID(1), patterns, opts); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestAMaxRateHoldsABurstBackAndThenQueuesItsNewestUpdate(t *testing.T) {
	clock := clockwork.NewFakeClock()
	h := newTestHub(t, Options{Clock: clock})
	rec := subscribeWith(t, h, codec.JSON, SubOptions{MaxRate: 2}, "quotes.X")
	for seq := uint64(1); seq <= 10; seq++ {
		h.Deliver("quotes.X", payload(t, seq))
	}
	h.settle(t.Context())
	got := decodeControlled(t, rec.waitMessages(t, 2))
	if got[0].MaxRate != 2 {
		t.Fatalf("ack %+v: want max_rate 2", got[0])
	}
	if seq := got[1].Data["seq"]; seq != 1.0 {
		t.Fatalf("first update seq %v, want 1 at once", seq)
	}
	waitUntil(t, func() bool { clock.Advance(50 * time.Millisecond); return len(rec.messages()) >= 3 })
	got = decodeControlled(t, rec.messages())
	if len(got) != 3 || got[2].Data["seq"] != 10.0 {
		t.Fatalf("got %+v: want the burst's newest (seq 10) after the interval, once", got)
	}
	if n := counterValue(t, h.metrics.rateSkipped); n != 8 {
		t.Fatalf("rate skipped %v, want 8", n)
	}
}

func TestASubjectMatchedByAnUnlimitedPatternIsNotHeldBack(t *testing.T) {
	h := newTestHub(t, Options{Clock: clockwork.NewFakeClock()})
	s := h.NewSubscriber(newRecorder(), codec.JSON)
	rec := s.t.(*recorder)
	t.Cleanup(s.Close)
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{MaxRate: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.*"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 5; seq++ {
		h.Deliver("quotes.X", payload(t, seq))
	}
	rec.waitMessages(t, 2+5)
}

func TestCapRateLimitsAnUnlimitedSubscription(t *testing.T) {
	clock := clockwork.NewFakeClock()
	h := newTestHub(t, Options{Clock: clock})
	s := h.NewSubscriber(newRecorder(), codec.JSON)
	rec := s.t.(*recorder)
	t.Cleanup(s.Close)
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	s.CapRate(1)
	for seq := uint64(1); seq <= 5; seq++ {
		h.Deliver("quotes.X", payload(t, seq))
	}
	h.settle(t.Context())
	if n := len(rec.waitMessages(t, 2)); n != 2 {
		t.Fatalf("%d messages before the interval, want the ack and one update", n)
	}
}

func TestADeltaFollowsExactlyItsBaseAndAGapGoesWhole(t *testing.T) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		t.Run(k.String(), func(t *testing.T) {
			h := newTestHub(t, Options{})
			rec := subscribeWith(t, h, k, SubOptions{Delta: true}, "quotes.X")
			for _, seq := range []uint64{1, 2, 3, 7, 8} {
				h.Deliver("quotes.X", payload(t, seq))
			}
			var msgs []controlled
			waitUntil(t, func() bool { msgs = decodeAll(t, k, rec.messages()); return len(msgs) >= 6 })
			wantDelta := []bool{false, true, true, false, true}
			for i, m := range msgs[1:] {
				if m.Delta != wantDelta[i] {
					t.Fatalf("update %d: delta %v, want %v: %+v", i, m.Delta, wantDelta[i], m)
				}
				if m.Delta && len(m.Data) != 3 {
					t.Fatalf("delta %d carries %v: want last, seq and ts only", i, m.Data)
				}
			}
		})
	}
}

func TestADeltaWhoseBaseWasConflatedAwayGoesWhole(t *testing.T) {
	h := newTestHub(t, Options{MaxQueueBytes: 2000})
	rec := newRecorder()
	rec.stalled = make(chan struct{})
	s := h.NewSubscriber(rec, codec.JSON)
	t.Cleanup(s.Close)
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{Delta: true}); err != nil {
		t.Fatal(err)
	}
	<-rec.entered
	for seq := uint64(1); seq <= 60; seq++ {
		h.Deliver("quotes.X", payload(t, seq))
	}
	h.settle(t.Context())
	close(rec.stalled)
	waitUntil(t, func() bool {
		ms := decodeControlled(t, rec.messages())
		return len(ms) > 0 && ms[len(ms)-1].Data["seq"] == 60.0
	})
	var last float64
	for i, m := range decodeControlled(t, rec.messages())[1:] {
		seq := m.Data["seq"].(float64)
		if m.Delta && seq != last+1 {
			t.Fatalf("message %d: a delta of seq %v after seq %v", i, seq, last)
		}
		last = seq
	}
}

// decodeAll decodes every message of the frames recorded, JSON ones split
// by the recorder, msgpack ones concatenated in a frame.
func decodeAll(t *testing.T, k codec.Kind, frames []string) []controlled {
	t.Helper()
	if k == codec.JSON {
		return decodeControlled(t, frames)
	}
	var out []controlled
	for _, f := range frames {
		dec := msgpack.NewDecoder(strings.NewReader(f))
		for {
			var m controlled
			if err := dec.Decode(&m); err != nil {
				break
			}
			out = append(out, m)
		}
	}
	return out
}

// The pacer flushes a held update without the hub goroutine: when a newer
// update of the subject is queued at once first (its interval has passed),
// the held one is dropped, never queued after it.
func TestAHeldUpdateNeverFollowsANewerOneQueuedAtOnce(t *testing.T) {
	clock := clockwork.NewFakeClock()
	h := newTestHub(t, Options{Clock: clock})
	s := h.NewSubscriber(newRecorder(), codec.JSON)
	rec := s.t.(*recorder)
	t.Cleanup(s.Close)
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{MaxRate: 2}); err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes.X", payload(t, 1)) // queued at once
	h.Deliver("quotes.X", payload(t, 2)) // held for the interval
	h.settle(t.Context())

	// The interval passes and the hub goroutine delivers seq 3 before the
	// pacer gets the subscriber's lock to flush seq 2.
	s.mu.Lock()
	clock.Advance(time.Second)
	m, err := newMessage("quotes.X", payload(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	r := s.deliverControlled(m, intervalOf(2), false)
	s.mu.Unlock()
	m.release()
	s.after(r)

	waitUntil(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		st := s.states["quotes.X"]
		return st != nil && !st.queued && len(rec.messages()) >= 3
	})
	h.settle(t.Context())
	var seqs []float64
	for _, m := range decodeControlled(t, rec.messages())[1:] {
		seqs = append(seqs, m.Data["seq"].(float64))
	}
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 3 {
		t.Fatalf("seqs %v, want [1 3]: the held seq 2 must not follow seq 3", seqs)
	}
}
