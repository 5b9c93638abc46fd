package fanout

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// discard is a Transport that drops frames.
type discard struct{}

func (discard) Write([]byte) error { return nil }
func (discard) Close(int, string)  {}

// hubWith returns a hub with n subscribers of quotes.X over t, half of each
// codec.
func hubWith(tb testing.TB, opts Options, n int, t Transport) (*Hub, []*Subscriber) {
	h := NewHub(opts)
	subs := make([]*Subscriber, n)
	for i := range subs {
		subs[i] = h.NewSubscriber(t, codec.Kind(i%2))
		if err := subs[i].Subscribe(tb.Context(), codec.ID{}, []string{"quotes.X"}); err != nil {
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
	b      []byte
	seqAt  int
	symbol string
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

// BenchmarkBroadcast measures one feed update, as the bus hands it over,
// fanned out to n subscribers (half of each codec) through their queues and
// writers to a transport that drops the frames: validation, transcoding,
// dedupe, matching, queueing and writing. Reported per update.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{1, 1000, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h, _ := hubWith(b, Options{}, n, discard{})
			p := newFeedPayload(b)
			seq := uint64(1)
			deliver := func() {
				seq++
				m, err := newMessage("quotes.X", p.seq(seq))
				if err != nil {
					b.Fatal(err)
				}
				h.broadcast(m)
				m.release()
			}
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
