package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// Client control against the real server (issue 14): max_rate per
// subscription and field deltas, in both codecs. The rules are in
// docs/protocol.md; no assert here is about time, only about counts and
// order, with wide margins.

// subWith sends a sub with extra keys and returns its ack.
func subWith(t *testing.T, c *client.Conn, id int, extra map[string]any, subjects ...string) client.Message {
	t.Helper()
	op := map[string]any{"op": "sub", "id": id, "subjects": subjects}
	maps.Copy(op, extra)
	if err := c.Send(testCtx(t), op); err != nil {
		t.Fatal(err)
	}
	m := next(t, c, "ack")
	if fmt.Sprint(m.ID) != fmt.Sprint(id) {
		t.Fatalf("ack id %v, want %d", m.ID, id)
	}
	return m
}

// quoteOf decodes a msg's data (whole or merged) as a quote.
func quoteOf(t *testing.T, k codec.Kind, data map[string]any) codec.Quote {
	t.Helper()
	var q codec.Quote
	var err error
	if k == codec.Msgpack {
		var b []byte
		if b, err = msgpack.Marshal(data); err == nil {
			err = msgpack.Unmarshal(b, &q)
		}
	} else {
		var b []byte
		if b, err = json.Marshal(data); err == nil {
			err = json.Unmarshal(b, &q)
		}
	}
	if err != nil {
		t.Fatalf("data %v: %v", data, err)
	}
	return q
}

// dataOf decodes a msg's data as a map.
func dataOf(t *testing.T, k codec.Kind, m client.Message) map[string]any {
	t.Helper()
	var d map[string]any
	var err error
	if k == codec.Msgpack {
		err = msgpack.Unmarshal(m.Data, &d)
	} else {
		dec := json.NewDecoder(bytes.NewReader(m.Data))
		dec.UseNumber()
		err = dec.Decode(&d)
	}
	if err != nil {
		t.Fatalf("%+v: %v", m, err)
	}
	return d
}

func TestAMaxRateSubscriberGetsAFewUpdatesASecondAndAlwaysTheNewest(t *testing.T) {
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			a := startApp(t, nil)
			c := dial(t, a, k)
			ack := subWith(t, c, 1, map[string]any{"max_rate": 2}, "quotes.RATE")
			if !bytes.Contains(ack.Raw, []byte("max_rate")) {
				t.Fatalf("ack %q does not say the rate that took effect", ack.Raw)
			}
			p := newPublisher(t, a)
			const published = 100 // 50/s for 2 s
			start := time.Now()
			var last uint64
			for range published {
				last = p.quote("RATE", 100+float64(p.seq["quotes.RATE"]))
				time.Sleep(20 * time.Millisecond)
			}
			elapsed := time.Since(start)
			got := 0
			var seq uint64
			for seq != last {
				m := next(t, c, "msg")
				h, err := m.Header()
				if err != nil {
					t.Fatal(err)
				}
				if h.Seq <= seq {
					t.Fatalf("seq %d after %d", h.Seq, seq)
				}
				seq = h.Seq
				got++
			}
			// 2/s over the publishing time, one more for the first
			// update and one for the burst's last; generous for a slow
			// machine that stretched the publishing.
			if most := 2*int(elapsed.Seconds()+1) + 2; got > most || got < 2 {
				t.Fatalf("%d updates of %d published over %v: want 2 to %d", got, published, elapsed, most)
			}
		})
	}
}

func TestASubjectMatchedByPatternsWithDifferentRatesGetsTheHighest(t *testing.T) {
	a := startApp(t, nil)
	c := dial(t, a, codec.JSON)
	subWith(t, c, 1, map[string]any{"max_rate": 1}, "quotes.OVER")
	subWith(t, c, 2, nil, "quotes.*")
	p := newPublisher(t, a)
	for i := range 20 {
		p.quote("OVER", float64(100+i))
	}
	for want := uint64(1); want <= 20; want++ {
		h, err := next(t, c, "msg").Header()
		if err != nil {
			t.Fatal(err)
		}
		if h.Seq != want {
			t.Fatalf("seq %d, want %d: the unlimited pattern must deliver every update", h.Seq, want)
		}
	}
}

func TestMergedDeltasEqualTheFullStream(t *testing.T) {
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			a := startApp(t, nil)
			c := dial(t, a, k)
			subWith(t, c, 1, map[string]any{"delta": true}, "quotes.DLT")
			p := newPublisher(t, a)
			var want []codec.Quote
			for i := range 30 {
				last := 100 + float64(i%3) // some updates leave last as it was
				seq := p.quote("DLT", last)
				want = append(want, codec.Quote{Symbol: "DLT", Bid: last - 0.01, Ask: last + 0.01, Last: last,
					Size: 100, Volume: int64(seq) * 100, Seq: seq})
			}
			var merged map[string]any
			deltas := 0
			for i := range want {
				m := next(t, c, "msg")
				d := dataOf(t, k, m)
				if m.Delta {
					deltas++
					if merged == nil {
						t.Fatalf("update %d: a delta with no base", i)
					}
					if base := quoteOf(t, k, merged); quoteOf(t, k, d).Seq != base.Seq+1 {
						t.Fatalf("a delta of seq %d on base %d", quoteOf(t, k, d).Seq, base.Seq)
					}
					if _, has := d["symbol"]; has {
						t.Fatalf("delta %v repeats an unchanged field", d)
					}
					maps.Copy(merged, d)
				} else {
					merged = d
				}
				got := quoteOf(t, k, merged)
				got.TS = 0
				if got != want[i] {
					t.Fatalf("update %d merged: %+v, want %+v", i, got, want[i])
				}
			}
			if deltas < len(want)/2 {
				t.Fatalf("only %d of %d updates came as deltas", deltas, len(want))
			}
		})
	}
}

func TestAnUpdateAfterAGapOrARateSkipComesWhole(t *testing.T) {
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			a := startApp(t, nil)
			p := newPublisher(t, a)
			gap := dial(t, a, k)
			subWith(t, gap, 1, map[string]any{"delta": true}, "quotes.GAP")
			p.quote("GAP", 1)
			p.quote("GAP", 2)
			p.seq["quotes.GAP"] += 3 // the publisher skips seq 3 to 5
			p.quote("GAP", 3)
			for i, wantDelta := range []bool{false, true, false} {
				if m := next(t, gap, "msg"); m.Delta != wantDelta {
					t.Fatalf("gap: update %d delta %v, want %v: %q", i, m.Delta, wantDelta, m.Raw)
				}
			}

			skip := dial(t, a, k)
			subWith(t, skip, 1, map[string]any{"delta": true, "max_rate": 1}, "quotes.SKIP")
			var last uint64
			for i := range 5 { // one burst: the first goes, the newest follows
				last = p.quote("SKIP", float64(i))
			}
			first, second := next(t, skip, "msg"), next(t, skip, "msg")
			h, err := second.Header()
			if err != nil {
				t.Fatal(err)
			}
			if first.Delta || second.Delta || h.Seq != last {
				t.Fatalf("rate skip: got %q then %q: want both whole, the second seq %d", first.Raw, second.Raw, last)
			}
		})
	}
}
