// Package wiretest builds the ticker.v1 server frames that the load
// generator's tests and benchmarks feed to its parser and connections.
package wiretest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/publish"
)

// Msg builds a msg of subject carrying the quote the load's publisher sends
// with seq and ts, in encoding k (JSON: transcoded once, as the server does).
func Msg(t testing.TB, k codec.Kind, subject string, seq uint64, ts int64, snapshot bool) []byte {
	t.Helper()
	data := publish.AppendQuote(nil, "L", seq, ts)
	if k == codec.JSON {
		js, _, err := codec.Transcode(nil, data)
		if err != nil {
			t.Fatal(err)
		}
		data = js
	}
	return codec.AppendMsg(k, nil, subject, data, snapshot)
}

// Frame batches messages into one frame the way the server does: JSON
// separated by '\n', msgpack concatenated.
func Frame(k codec.Kind, msgs ...[]byte) []byte {
	if k == codec.JSON {
		return bytes.Join(msgs, []byte{'\n'})
	}
	return bytes.Join(msgs, nil)
}

// DeltaMsg builds a "delta":true msg of subject whose data holds only a
// changed last price, and seq and ts, in encoding k.
func DeltaMsg(t testing.TB, k codec.Kind, subject string, seq uint64, ts int64) []byte {
	t.Helper()
	var data []byte
	if k == codec.JSON {
		data = fmt.Appendf(nil, `{"last":1.5,"seq":%d,"ts":%d}`, seq, ts)
	} else {
		var err error
		data, err = msgpack.Marshal(map[string]any{"last": 1.5, "seq": seq, "ts": ts})
		if err != nil {
			t.Fatal(err)
		}
	}
	return codec.AppendDeltaMsg(k, nil, subject, data)
}
