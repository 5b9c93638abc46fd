package wire_test

import (
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/wire"
	"github.com/ticker-dev/ticker/internal/loadgen/wire/wiretest"
)

// BenchmarkParseFrame parses a frame of 8 batched quote updates, as a busy
// connection receives them; it must not allocate.
func BenchmarkParseFrame(b *testing.B) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		b.Run(k.String(), func(b *testing.B) {
			var msgs [][]byte
			for i := range 8 {
				msgs = append(msgs, wiretest.Msg(b, k, wire.SubjectName("quotes.L", i*7), uint64(1000+i), 1732350000123456789, false))
			}
			frame := wiretest.Frame(k, msgs...)
			p := wire.Parser{Prefix: "quotes.L", Subjects: 100}
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			var seqs uint64
			for b.Loop() {
				rest := frame
				for len(rest) > 0 {
					m, r, err := p.Next(k, rest)
					if err != nil {
						b.Fatal(err)
					}
					seqs += m.Seq
					rest = r
				}
			}
			b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
			if seqs == 0 {
				b.Fatal("nothing parsed")
			}
		})
	}
}

// TestParseDoesNotAllocate keeps the benchmark's promise in the test run.
func TestParseDoesNotAllocate(t *testing.T) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		frame := wiretest.Frame(k, wiretest.Msg(t, k, "quotes.L0001", 1, 2, false), codec.AppendAck(k, nil, codec.IntID(1)),
			codec.AppendError(k, nil, codec.IntID(2), "bad_request", "x"))
		allocs := testing.AllocsPerRun(100, func() {
			for rest := frame; len(rest) > 0; {
				_, rest, _ = testParser.Next(k, rest)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per frame", k, allocs)
		}
	}
}
