package rawserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// TestBadOpsGetTheProtocolsAnswer sends ops the server must not read another
// way than the gateway does: each gets its error code, the id only when it
// could be read, and the connection stays usable.
func TestBadOpsGetTheProtocolsAnswer(t *testing.T) {
	url, _ := start(t, 0)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	mp := func(v any) []byte {
		b, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type m = map[string]any
	tests := []struct {
		name   string
		k      codec.Kind
		typ    websocket.MessageType
		frame  []byte
		op     string // the reply's op
		code   string
		wantID string // "" is none
	}{
		{"a fractional id", codec.JSON, websocket.MessageText, []byte(`{"op":"ping","id":1.5}`), "error", "bad_request", ""},
		{"a 65-byte id", codec.JSON, websocket.MessageText, []byte(`{"op":"ping","id":"` + strings.Repeat("i", 65) + `"}`), "error", "bad_request", ""},
		{"a lone surrogate id", codec.JSON, websocket.MessageText, []byte(`{"op":"ping","id":"\ud800"}`), "error", "bad_request", ""},
		{"an id given twice", codec.JSON, websocket.MessageText, []byte(`{"op":"ping","id":1,"id":2}`), "error", "bad_request", ""},
		{"trailing data keeps the id", codec.JSON, websocket.MessageText, []byte(`{"op":"ping","id":3} x`), "error", "bad_request", "3"},
		{"a malformed subject", codec.JSON, websocket.MessageText, []byte(`{"op":"sub","id":4,"subjects":["quotes..X"]}`), "error", "bad_subject", "4"},
		{"a malformed subject in an unsub", codec.JSON, websocket.MessageText, []byte(`{"op":"unsub","id":5,"subjects":["quotes.A B"]}`), "error", "bad_subject", "5"},
		{"a binary frame on a JSON connection", codec.JSON, websocket.MessageBinary, []byte(`{"op":"ping","id":6}`), "error", "bad_request", ""},
		{"a string id with escapes", codec.JSON, websocket.MessageText, []byte(`{"op":"ping","id":"\u00e9\ud83d\ude00"}`), "pong", "", "é😀"},
		{"a msgpack id not UTF-8", codec.Msgpack, websocket.MessageBinary, mp(m{"op": "ping", "id": "\xff"}), "error", "bad_request", ""},
		{"a msgpack float id", codec.Msgpack, websocket.MessageBinary, mp(m{"op": "ping", "id": 1.0}), "error", "bad_request", ""},
		{"a text frame on a msgpack connection", codec.Msgpack, websocket.MessageText, []byte(`{"op":"ping"}`), "error", "bad_request", ""},
	}
	conns := map[codec.Kind]*client.Conn{}
	for _, k := range []codec.Kind{codec.JSON, codec.Msgpack} {
		c, err := client.Dial(ctx, url, client.DialOptions{Codec: wireCodec(k)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[k] = c
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conns[tt.k]
			if err := c.WriteFrame(ctx, tt.typ == websocket.MessageBinary, tt.frame); err != nil {
				t.Fatal(err)
			}
			got := next(t, ctx, c, tt.op)
			id := ""
			if got.ID != nil {
				id = fmt.Sprint(got.ID)
			}
			if got.Code != tt.code || id != tt.wantID {
				t.Fatalf("got %+v, want %s %s with id %q", got, tt.op, tt.code, tt.wantID)
			}
			if err := c.Ping(ctx, "usable"); err != nil {
				t.Fatal(err)
			}
			if got := next(t, ctx, c, "pong"); got.ID != "usable" {
				t.Fatalf("pong %+v", got)
			}
		})
	}
}

// wireCodec is the client's name for encoding k.
func wireCodec(k codec.Kind) client.Codec {
	if k == codec.Msgpack {
		return client.Msgpack
	}
	return client.JSON
}
