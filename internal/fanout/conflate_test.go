package fanout

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
)

// received is one JSON message as a test reads it.
type received struct {
	Op      string `json:"op"`
	Subject string `json:"subject"`
	Data    struct {
		Seq uint64 `json:"seq"`
	} `json:"data"`
}

func decode(t *testing.T, msgs []string) []received {
	t.Helper()
	out := make([]received, len(msgs))
	for i, m := range msgs {
		if err := json.Unmarshal([]byte(m), &out[i]); err != nil {
			t.Fatalf("message %d %q: %v", i, m, err)
		}
	}
	return out
}

// stalledSubscriber subscribes a JSON recorder to patterns and stalls its
// writer inside the ack's write, so that everything after piles up.
func stalledSubscriber(t *testing.T, h *Hub, patterns ...string) (*Subscriber, *recorder) {
	t.Helper()
	rec := newRecorder()
	rec.stalled = make(chan struct{})
	s := h.NewSubscriber(rec, codec.JSON)
	t.Cleanup(s.Close)
	if err := s.Subscribe(t.Context(), codec.ID{}, patterns, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	<-rec.entered
	return s, rec
}

func TestALaggingQueueKeepsTheNewestUpdateOfEachSubjectInOrder(t *testing.T) {
	h := newTestHub(t, Options{MaxQueueBytes: 2000})
	_, rec := stalledSubscriber(t, h, "quotes.>")
	subjects := []string{"quotes.A", "quotes.B", "quotes.C"}
	const rounds = 60 // about 60*3*130 bytes: the bound is crossed many times
	for seq := uint64(1); seq <= rounds; seq++ {
		for _, subject := range subjects {
			h.Deliver(subject, payload(t, seq))
		}
	}
	waitUntil(t, func() bool { return counterValue(t, h.metrics.deliveries) == rounds*3 })
	close(rec.stalled)

	var got []received
	waitUntil(t, func() bool { // C's newest is queued last, so written last
		msgs := rec.messages()
		if len(msgs) < 2 {
			return false
		}
		got = decode(t, msgs[1:])
		return got[len(got)-1].Data.Seq == rounds
	})
	last := map[string]uint64{}
	for _, m := range got {
		if m.Data.Seq <= last[m.Subject] {
			t.Fatalf("%s: seq %d after %d", m.Subject, m.Data.Seq, last[m.Subject])
		}
		last[m.Subject] = m.Data.Seq
	}
	for _, subject := range subjects {
		if last := lastSeq(got, subject); last != rounds {
			t.Errorf("%s: newest seq delivered %d, want %d", subject, last, rounds)
		}
	}
	if len(got) >= rounds*3 {
		t.Fatalf("%d messages written for %d updates: nothing was conflated", len(got), rounds*3)
	}
	if c := counterValue(t, h.metrics.conflated); c == 0 || int(c)+len(got) != rounds*3 {
		t.Fatalf("conflated %v + written %d != %d updates", c, len(got), rounds*3)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.closed != 0 {
		t.Fatalf("closed with %d although conflation kept it within bounds", rec.closed)
	}
}

func lastSeq(ms []received, subject string) uint64 {
	var seq uint64
	for _, m := range ms {
		if m.Subject == subject {
			seq = m.Data.Seq
		}
	}
	return seq
}

func TestAQueueOverItsBoundAfterConflationIsClosedAfterTheSlowTimeout(t *testing.T) {
	clock := clockwork.NewFakeClock()
	h := newTestHub(t, Options{MaxQueueBytes: 1000, SlowTimeout: 5 * time.Second, Clock: clock})
	_, rec := stalledSubscriber(t, h, "quotes.>")
	defer close(rec.stalled)
	// Ten distinct subjects, about 1300 bytes: over the bound, under twice
	// it, and nothing to conflate. Nothing is pushed afterwards: the watch
	// must close it on its own.
	for i := range 10 {
		h.Deliver(fmt.Sprintf("quotes.S%d", i), payload(t, 1))
	}
	h.settle(t.Context())
	// Exactly the slow timeout since the queue went over its bound, and
	// since the writer entered the ack's write: the watch closes it, the
	// stuck-writer monitor (past the timeout) would not yet.
	clock.Advance(5 * time.Second)
	if code, reason := rec.waitClosed(t); code != closecode.PolicyViolation || reason != "slow consumer" {
		t.Fatalf("closed with %d %q, want 1008 slow consumer", code, reason)
	}
	if d := counterValue(t, h.metrics.dropped); d == 0 {
		t.Fatal("the queued updates of the closed connection were not counted as dropped")
	}
}

func TestAQueuedMessageIsNotRecycledWhileAnyQueueHoldsIt(t *testing.T) {
	h := newTestHub(t, Options{})
	_, slow := stalledSubscriber(t, h, "quotes.X")
	fast := newRecorder()
	s := h.NewSubscriber(fast, codec.Msgpack)
	defer s.Close()
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	// The fast subscriber writes and releases every message while the slow
	// one still holds them; the messages' buffers must stay intact.
	const n = 500
	for seq := uint64(1); seq <= n; seq++ {
		h.Deliver("quotes.X", payload(t, seq))
	}
	fast.waitMessages(t, 1)
	close(slow.stalled)
	got := decode(t, slow.waitMessages(t, 1+n)[1:])
	for i, m := range got {
		if m.Data.Seq != uint64(i+1) || m.Subject != "quotes.X" {
			t.Fatalf("message %d: %s seq %d: a recycled buffer was reused under a queue", i, m.Subject, m.Data.Seq)
		}
	}
}

func TestFramesRespectTheBatchCaps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Options
		limit func(frame []byte) bool
	}{
		{"messages", Options{MaxBatch: 3}, func(f []byte) bool { return strings.Count(string(f), "\n") < 3 }},
		{"bytes", Options{MaxBatchBytes: 300}, func(f []byte) bool { return len(f) <= 300 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHub(t, tc.opts)
			s, rec := stalledSubscriber(t, h, "quotes.>")
			for i := range 10 {
				h.Deliver(fmt.Sprintf("quotes.J%d", i), payload(t, 1))
			}
			waitUntil(t, func() bool { return s.waiting() == 10 })
			close(rec.stalled)
			rec.waitMessages(t, 11)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.frames) < 1+4 {
				t.Fatalf("%d frames: the 10 messages were not split", len(rec.frames))
			}
			for _, f := range rec.frames[1:] {
				if !tc.limit(f) {
					t.Fatalf("frame over the cap: %s", f)
				}
			}
		})
	}
}

func TestAFlushIntervalJoinsWhatArrivesWithinIt(t *testing.T) {
	clock := clockwork.NewFakeClock()
	const interval = 200 * time.Millisecond
	h := newTestHub(t, Options{FlushInterval: interval, Clock: clock})
	rec := newRecorder()
	s := h.NewSubscriber(rec, codec.JSON)
	defer s.Close()
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(interval)
	rec.waitMessages(t, 1)                        // the ack, at the first tick
	waitUntil(t, func() bool { return s.idle() }) // its writer let go of it
	for i := range 5 {
		h.Deliver(fmt.Sprintf("quotes.F%d", i), payload(t, 1))
	}
	h.settle(t.Context())
	clock.Advance(interval)
	rec.waitMessages(t, 6)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.frames) != 2 {
		t.Fatalf("%d frames for an ack and 5 updates within one interval, want 2", len(rec.frames))
	}
}

func TestAPeerThatTakesNoWriteForTheSlowTimeoutIsClosed(t *testing.T) {
	clock := clockwork.NewFakeClock()
	h := newTestHub(t, Options{SlowTimeout: time.Second, Clock: clock})
	_, rec := stalledSubscriber(t, h, "quotes.>") // its queue is nearly empty
	defer close(rec.stalled)
	clock.Advance(time.Second + stuckAfter)
	if code, reason := rec.waitClosed(t); code != closecode.PolicyViolation || reason != "slow consumer" {
		t.Fatalf("closed with %d %q, want 1008 slow consumer", code, reason)
	}
}

func TestClosingAHubTwiceIsHarmless(t *testing.T) {
	h := NewHub(Options{FlushInterval: time.Millisecond})
	h.Close()
	h.Close()
}
