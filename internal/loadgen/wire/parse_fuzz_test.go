package wire_test

import (
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/wire"
	"github.com/ticker-dev/ticker/internal/loadgen/wire/wiretest"
)

// FuzzParseFrame feeds arbitrary frames to the parser in both encodings: it
// must never panic, always make progress, and agree with itself when a frame
// is cut after a JSON line.
func FuzzParseFrame(f *testing.F) {
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		f.Add(byte(k), wiretest.Frame(k, codec.AppendAck(k, nil, codec.IntID(1)), wiretest.Msg(f, k, "quotes.L0001", 3, 4, true),
			wiretest.Msg(f, k, "quotes.L0002", 5, 6, false)))
		f.Add(byte(k), wiretest.Frame(k, wiretest.DeltaMsg(f, k, "quotes.L0002", 5, 6),
			codec.AppendRevoked(k, nil, codec.IntID(7), []string{"quotes.>"}, "forbidden", "x")))
		f.Add(byte(k), codec.AppendError(k, nil, codec.StringID("x"), "bad_subject", "no"))
	}
	f.Add(byte(0), []byte(`{"op":"msg","subject":"quotes.L0001","data":{"a":[{"b":["}"]}],"seq":1,"ts":2}}`))
	f.Fuzz(func(t *testing.T, kind byte, frame []byte) {
		k := codec.Kind(kind % 2)
		p := wire.Parser{Prefix: "quotes.L", Subjects: 100}
		rest := frame
		for steps := 0; len(rest) > 0; steps++ {
			if steps > len(frame) {
				t.Fatalf("no progress on %q", frame)
			}
			m, r, err := p.Next(k, rest)
			if len(r) >= len(rest) && len(rest) > 0 {
				t.Fatalf("Next did not consume anything of %q", rest)
			}
			if err == nil && m.Op == wire.OpMsg && (m.Subject < -1 || m.Subject >= 100) {
				t.Fatalf("subject index %d", m.Subject)
			}
			rest = r
		}
	})
}
