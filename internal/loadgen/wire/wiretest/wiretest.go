// Package wiretest builds the ticker.v1 server frames that the load
// generator's tests and benchmarks feed to its parser and connections.
package wiretest

import (
	"bytes"
	"testing"

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
