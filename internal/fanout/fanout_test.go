package fanout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestIndexAgreesWithTheReferenceMatcher(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := []string{"a", "b", "c", "*", ">"}
	randomPattern := func() string {
		n := 1 + rng.IntN(4)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = tokens[rng.IntN(len(tokens))]
			if parts[i] == ">" && i != n-1 {
				parts[i] = "*"
			}
		}
		return joinDots(parts)
	}
	ix := newIndex()
	mt := newMatcher(ix)
	var subs []*sub
	// Subscribers holding their patterns as Subscribe records them, enough
	// of them for results past copyLimit.
	owners := make([]*Subscriber, 2*copyLimit)
	for i := range owners {
		owners[i] = &Subscriber{id: uint64(i + 1), subs: make(map[string]*sub)}
	}
	addSubs := func(n int, pattern func() string) {
		for i := range n {
			s, p := owners[i%len(owners)], pattern()
			if s.subs[p] != nil {
				continue
			}
			x := &sub{s: s, pattern: p, active: true}
			s.subs[p] = x
			subs = append(subs, x)
			ix.add(x)
		}
	}
	addSubs(300, randomPattern)
	check := func() {
		for range 200 {
			parts := make([]string, 1+rng.IntN(4))
			for i := range parts {
				parts[i] = tokens[rng.IntN(3)]
			}
			subject := joinDots(parts)
			for pass := range 2 { // uncached, then cached
				all := mt.match(subject)
				var got []*sub // a result keeps some removed subs, never half of it
				for _, x := range all {
					if !x.removed {
						got = append(got, x)
					}
				}
				if 2*(len(all)-len(got)) > len(all) {
					t.Fatalf("%s: %d of %d subs removed", subject, len(all)-len(got), len(all))
				}
				var want []*sub
				for _, x := range subs {
					if subscribe.Match(x.pattern, subject) {
						want = append(want, x)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("pass %d, %s: %d matches, want %d", pass, subject, len(got), len(want))
				}
				for _, x := range want {
					if !slices.Contains(got, x) {
						t.Fatalf("%s: missing %s", subject, x.pattern)
					}
				}
				done := map[*Subscriber]bool{}
				for i, x := range got {
					if i > 0 && got[i-1].s != x.s {
						if done[x.s] {
							t.Fatalf("%s: result not grouped by subscriber", subject)
						}
						done[got[i-1].s] = true
					}
				}
			}
		}
	}
	check()
	for _, x := range subs[:150] { // removal prunes the trie and updates cached results
		delete(x.s.subs, x.pattern)
		ix.remove(x)
	}
	subs = subs[150:]
	check()
	// Past copyLimit, results grow in place.
	addSubs(len(owners), func() string { return ">" })
	check()
	addSubs(len(owners), func() string { return fmt.Sprintf("%s.>", tokens[rng.IntN(3)]) })
	check()
	addSubs(300, randomPattern)
	check()
}

func joinDots(parts []string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func TestSubscribeQueuesAckThenSnapshotThenLive(t *testing.T) {
	h := newTestHub(t, Options{})
	first := newRecorder()
	s1 := h.NewSubscriber(first, codec.JSON)
	defer s1.Close()
	if err := s1.Subscribe(t.Context(), codec.IntID(1), []string{"quotes.X"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes.X", payload(t, 1))
	first.waitMessages(t, 2)

	rec := newRecorder()
	s := h.NewSubscriber(rec, codec.JSON)
	defer s.Close()
	if err := s.Subscribe(t.Context(), codec.StringID("a"), []string{"quotes.*"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes.X", payload(t, 2))
	h.Deliver("quotes.X", payload(t, 2)) // a copy through another pattern: dropped
	h.Deliver("quotes.X", payload(t, 3))
	got := rec.waitMessages(t, 4)
	want := []string{`{"op":"ack","id":"a"}`, `"snapshot":true`, `"seq":2`, `"seq":3`}
	for i, w := range want {
		if !bytes.Contains([]byte(got[i]), []byte(w)) {
			t.Fatalf("message %d = %s, want it to contain %s (all: %q)", i, got[i], w, got)
		}
	}
	if len(got) != 4 {
		t.Fatalf("got %d messages, want 4: %q", len(got), got)
	}
}

func TestMalformedAndBadSubjectUpdatesAreCountedAndDropped(t *testing.T) {
	h := newTestHub(t, Options{})
	rec := newRecorder()
	s := h.NewSubscriber(rec, codec.JSON)
	defer s.Close()
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes.X", []byte("not msgpack"))
	h.Deliver("quotes.A B", payload(t, 1))
	h.Deliver("quotes.X", payload(t, 1))
	got := rec.waitMessages(t, 2)
	if !bytes.Contains([]byte(got[1]), []byte(`"seq":1`)) {
		t.Fatalf("got %q", got)
	}
	for result, want := range map[string]float64{resultMalformed: 1, resultBadSubject: 1, resultAccepted: 1} {
		if n := counterValue(t, h.metrics.feed.WithLabelValues(result)); n != want {
			t.Errorf("%s = %v, want %v", result, n, want)
		}
	}
}

func TestAStalledConsumerIsClosedAndOthersGetEverything(t *testing.T) {
	h := newTestHub(t, Options{MaxQueueBytes: 4096})
	stalled := newRecorder()
	stalled.stalled = make(chan struct{})
	defer close(stalled.stalled)
	healthy := newRecorder()
	for _, r := range []*recorder{stalled, healthy} {
		s := h.NewSubscriber(r, codec.JSON)
		defer s.Close()
		if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// About 130 bytes each: well past 4 KiB for the stalled one, while the
	// healthy one drains every chunk before the next.
	const n, chunk = 200, 10
	var got []string
	for i := range n {
		h.Deliver(fmt.Sprintf("quotes.S%d", i), payload(t, 1))
		if (i+1)%chunk == 0 {
			got = healthy.waitMessages(t, i+2)
		}
	}
	if len(got) != n+1 {
		t.Fatalf("healthy consumer got %d messages, want %d", len(got), n+1)
	}
	stalled.mu.Lock()
	code, reason := stalled.closed, stalled.reason
	stalled.mu.Unlock()
	if code != closecode.PolicyViolation || reason != "slow consumer" {
		t.Fatalf("stalled consumer closed with %d %q, want 1008 slow consumer", code, reason)
	}
	if v := counterValue(t, h.metrics.slowConsumers); v != 1 {
		t.Fatalf("slow consumer disconnects = %v", v)
	}
}

func TestPendingMessagesAreJoinedIntoOneFrame(t *testing.T) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		h := newTestHub(t, Options{})
		rec := newRecorder()
		rec.stalled = make(chan struct{})
		s := h.NewSubscriber(rec, k)
		if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
			t.Fatal(err)
		}
		<-rec.entered // the ack's write is stalled; everything after it piles up
		for i := range 10 {
			h.Deliver(fmt.Sprintf("quotes.J%d", i), payload(t, 1))
		}
		waitUntil(t, func() bool { return s.waiting() == 10 })
		close(rec.stalled)
		<-rec.wrote
		<-rec.wrote
		rec.mu.Lock()
		frames := len(rec.frames)
		batch := rec.frames[1]
		rec.mu.Unlock()
		if frames != 2 {
			t.Fatalf("%s: %d frames, want the ack and one batch", k, frames)
		}
		if k == codec.JSON && bytes.Count(batch, []byte{'\n'}) != 9 {
			t.Fatalf("JSON batch not joined by newlines: %s", batch)
		}
		if k == codec.Msgpack {
			r := codec.NewReader(batch)
			for i := range 10 {
				if err := r.Skip(); err != nil {
					t.Fatalf("msgpack batch value %d: %v", i, err)
				}
			}
			if r.Len() != 0 {
				t.Fatal("msgpack batch has extra bytes")
			}
		}
		s.Close()
	}
}

func TestALateCopyOfAForgottenSubjectIsStillStale(t *testing.T) {
	bus := &memBus{watching: map[string]bool{}}
	h := newTestHub(t, Options{Bus: bus})
	first := newRecorder()
	s1 := h.NewSubscriber(first, codec.JSON)
	if err := s1.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes.X", payload(t, 5))
	first.waitMessages(t, 2)
	s1.Close() // the last holder leaves: the bus stops, the value is forgotten
	if len(bus.watching) != 0 {
		t.Fatalf("still watching %v", bus.watching)
	}

	rec := newRecorder()
	s2 := h.NewSubscriber(rec, codec.JSON)
	defer s2.Close()
	if err := s2.Subscribe(t.Context(), codec.IntID(2), []string{"quotes.X"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	h.Deliver("quotes.X", payload(t, 4)) // a copy that was still on its way
	h.Deliver("quotes.X", payload(t, 6))
	got := rec.waitMessages(t, 2)
	if got[0] != `{"op":"ack","id":2}` || !strings.Contains(got[1], `"seq":6`) {
		t.Fatalf("got %q: want the ack (no snapshot of a forgotten value), then seq 6 only", got)
	}
	if n := counterValue(t, h.metrics.feed.WithLabelValues(resultStale)); n != 1 {
		t.Fatalf("stale = %v, want 1", n)
	}
}

func TestAnUpdateCarriedByASnapshotIsNotDeliveredLiveAgain(t *testing.T) {
	h := newTestHub(t, Options{})
	rec := newRecorder()
	s := h.NewSubscriber(rec, codec.JSON)
	defer s.Close()
	if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
		t.Fatal(err)
	}
	// The hub delivers quotes.X while the subscriber keeps adding an
	// overlapping pattern: each Subscribe replays a snapshot, and an update
	// matched just before it must not follow it live.
	const n = 3000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for seq := uint64(1); seq <= n; seq++ {
			h.Deliver("quotes.X", payload(t, seq))
		}
	}()
	for subs := 0; ; subs++ {
		select {
		case <-done:
		default:
			if err := s.Subscribe(t.Context(), codec.ID{}, []string{"quotes.X"}, SubOptions{}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		break
	}
	msgs := rec.waitMessages(t, 1)
	waitUntil(t, func() bool {
		msgs = rec.messages()
		return strings.Contains(msgs[len(msgs)-1], fmt.Sprintf(`"seq":%d,`, n))
	})
	var lastLive, lastSnap uint64
	for _, raw := range msgs {
		var m struct {
			Op       string
			Snapshot bool
			Data     struct{ Seq uint64 }
		}
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		switch {
		case m.Op != "msg":
		case m.Snapshot:
			lastSnap = m.Data.Seq
		case m.Data.Seq <= max(lastLive, lastSnap):
			t.Fatalf("live seq %d after live %d and snapshot %d", m.Data.Seq, lastLive, lastSnap)
		default:
			lastLive = m.Data.Seq
		}
	}
}
