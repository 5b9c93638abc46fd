package fanout

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
)

// discard is a Transport that drops frames.
type discard struct{}

func (discard) Write([]byte) error           { return nil }
func (discard) Close(closecode.Code, string) {}

// hubWith returns a hub with n subscribers of quotes.X over t, half of each
// codec.
func hubWith(tb testing.TB, opts Options, n int, t Transport) (*Hub, []*Subscriber) {
	return hubWithSubs(tb, opts, n, t, SubOptions{})
}

// hubWithSubs is hubWith whose subscribers subscribe with so.
func hubWithSubs(tb testing.TB, opts Options, n int, t Transport, so SubOptions) (*Hub, []*Subscriber) {
	h := NewHub(opts)
	subs := make([]*Subscriber, n)
	for i := range subs {
		subs[i] = h.NewSubscriber(t, codec.Kind(i%2))
		if err := subs[i].Subscribe(tb.Context(), codec.ID{}, []string{"quotes.X"}, so); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(func() {
		for _, s := range subs {
			s.Close()
		}
		h.Close()
	})
	return h, subs
}

// feedPayload is a quote whose seq can be set in place: the steady feed, one
// buffer reused for every update as the bus does.
type feedPayload struct {
	b     []byte
	seqAt int
}

func newFeedPayload(tb testing.TB) *feedPayload {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(false) // seq takes 8 bytes whatever its value
	q := codec.Quote{Symbol: "X", Bid: 189.12, Ask: 189.14, Last: 189.13, Size: 100, Volume: 1234567, Seq: 1, TS: 1732350000123456789}
	if err := enc.Encode(&q); err != nil {
		tb.Fatal(err)
	}
	b := buf.Bytes()
	i := bytes.Index(b, []byte("\xa3seq\xcf"))
	if i < 0 {
		tb.Fatalf("no 8-byte seq in %x", b)
	}
	return &feedPayload{b: b, seqAt: i + 5}
}

func (p *feedPayload) seq(n uint64) []byte {
	binary.BigEndian.PutUint64(p.b[p.seqAt:], n)
	return p.b
}

// steadyFeed returns a func that broadcasts the next update of quotes.X, as
// the bus hands it over.
func steadyFeed(b *testing.B, h *Hub) func() {
	p := newFeedPayload(b)
	seq := uint64(1)
	return func() {
		seq++
		m, err := newMessage("quotes.X", p.seq(seq))
		if err != nil {
			b.Fatal(err)
		}
		h.broadcast(m)
		m.release()
	}
}

// BenchmarkBroadcast measures one feed update, as the bus hands it over,
// fanned out to n subscribers (half of each codec) through their queues and
// writers to a transport that drops the frames: validation, transcoding,
// dedupe, matching, queueing and writing. Reported per update.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{1, 1000, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h, _ := hubWith(b, Options{}, n, discard{})
			deliver := steadyFeed(b, h)
			for range 1000 { // warm the pools and the writers
				deliver()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				deliver()
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkBroadcastControlled is BenchmarkBroadcast for 1000 subscribers
// that asked for deltas, or for a max rate that holds most updates back
// (every update is held, replacing the one held before, and the pacer
// queues the newest one every millisecond).
func BenchmarkBroadcastControlled(b *testing.B) {
	for _, tc := range []struct {
		name string
		so   SubOptions
	}{{"delta", SubOptions{Delta: true}}, {"max_rate=1000", SubOptions{MaxRate: 1000}}} {
		b.Run(tc.name, func(b *testing.B) {
			h, _ := hubWithSubs(b, Options{}, 1000, discard{}, tc.so)
			deliver := steadyFeed(b, h)
			for range 1000 {
				deliver()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				deliver()
			}
		})
	}
}

// BenchmarkMatch measures finding the subscribers of a subject among 100k
// patterns (90k literal, 10k with wildcards): "cached" is the delivery path,
// a cache hit; "uncached" walks the trie, as the first update of a subject
// after a subscription change does.
func BenchmarkMatch(b *testing.B) {
	ix := newIndex()
	const literal, wild = 90_000, 10_000
	for i := range literal {
		ix.add(&sub{s: &Subscriber{id: uint64(i)}, pattern: fmt.Sprintf("quotes.S%05d", i), active: true})
	}
	for i := range wild {
		ix.add(&sub{s: &Subscriber{id: uint64(literal + i)}, pattern: fmt.Sprintf("scores.l%d.*", i%100), active: true})
	}
	subjects := make([]string, 1000)
	for i := range subjects {
		if i%2 == 0 {
			subjects[i] = fmt.Sprintf("quotes.S%05d", i*89)
		} else {
			subjects[i] = fmt.Sprintf("scores.l%d.g%d", i%100, i)
		}
	}
	b.Run("cached", func(b *testing.B) {
		mt := newMatcher(ix)
		for _, s := range subjects {
			mt.match(s)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if len(mt.match(subjects[i%len(subjects)])) == 0 {
				b.Fatal("no match")
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			ix.mu.Lock()
			res := ix.walk(subjects[i%len(subjects)])
			ix.mu.Unlock()
			if len(res) == 0 {
				b.Fatal("no match")
			}
		}
	})
}

// stall is a Transport whose writes block until release is closed.
type stall struct{ release chan struct{} }

func (s stall) Write([]byte) error         { <-s.release; return nil }
func (stall) Close(closecode.Code, string) {}

// BenchmarkConflate measures broadcasting to one subscriber whose writer is
// stalled, over 100 subjects: its 64 KiB queue is conflated again and again
// and keeps the newest update of each subject.
func BenchmarkConflate(b *testing.B) {
	st := stall{release: make(chan struct{})}
	h, _ := hubWith(b, Options{MaxQueueBytes: 64 << 10, SlowTimeout: time.Hour}, 0, nil)
	s := h.NewSubscriber(st, codec.JSON)
	b.Cleanup(func() { close(st.release); s.Close() })
	if err := s.Subscribe(b.Context(), codec.ID{}, []string{"quotes.>"}, SubOptions{}); err != nil {
		b.Fatal(err)
	}
	subjects := make([]string, 100)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("quotes.C%02d", i)
	}
	p := newFeedPayload(b)
	deliver := func(i int) {
		m, err := newMessage(subjects[i%len(subjects)], p.seq(uint64(i/len(subjects)+1)))
		if err != nil {
			b.Fatal(err)
		}
		h.broadcast(m)
		m.release()
	}
	for i := range 10_000 {
		deliver(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		deliver(10_000 + i)
	}
	b.StopTimer()
	b.ReportMetric(counterValue(b, h.metrics.conflated)/float64(b.N+10_000), "conflated/op")
}
