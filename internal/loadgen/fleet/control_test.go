package fleet

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/wire"
	"github.com/ticker-dev/ticker/internal/loadgen/wire/wiretest"
)

// TestDeltasCountAsDeliveriesAndBytesAreCounted: over a compressed
// connection, delta msgs are deliveries with their latency, a revoked
// message is counted, the payload bytes are the frames' and the wire bytes
// (read from the socket) fewer.
func TestDeltasCountAsDeliveriesAndBytesAreCounted(t *testing.T) {
	k := codec.JSON
	const frames = 50
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionContextTakeover})
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for i := range frames {
			frame := wiretest.Frame(k,
				wiretest.Msg(t, k, wire.SubjectName("quotes.L", 0), uint64(2*i+1), 1, false),
				wiretest.DeltaMsg(t, k, wire.SubjectName("quotes.L", 0), uint64(2*i+2), 1))
			if ws.Write(context.Background(), websocket.MessageText, frame) != nil {
				return
			}
		}
		_ = ws.Write(context.Background(), websocket.MessageText,
			codec.AppendRevoked(k, nil, codec.IntID(1), []string{"quotes.>"}, "forbidden", "x"))
		_, _, _ = ws.Read(context.Background()) // until the client closes
	}))
	defer srv.Close()

	cfg := Config{URLs: []string{"ws" + strings.TrimPrefix(srv.URL, "http")}, SubsPerConn: 1, Subjects: 1, Prefix: "quotes.L",
		Compression: "context-takeover"}
	f := New(cfg, 0, 1, nil)
	c := f.conns[0]
	ws, _, err := websocket.Dial(t.Context(), cfg.URLs[0], &websocket.DialOptions{HTTPClient: f.clients[0], CompressionMode: CompressionOf(cfg.Compression)})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	c.ws = ws
	var payload uint64
	for range frames + 1 {
		fr, err := c.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		payload += uint64(len(fr))
		c.handle(fr, 2)
	}
	if c.track.delivered != 2*frames || c.deltas != frames || c.revoked != 1 {
		t.Fatalf("delivered %d, deltas %d, revoked %d", c.track.delivered, c.deltas, c.revoked)
	}
	if c.payload != payload {
		t.Fatalf("payload %d, want %d", c.payload, payload)
	}
	if got := f.wireBytes(); got == 0 || got >= payload {
		t.Fatalf("wire bytes %d with permessage-deflate, payload %d", got, payload)
	}
}

// TestAConnectionAccountsDeltasWithoutAllocating keeps the hot path at 0
// allocations with delta msgs in the frame.
func TestAConnectionAccountsDeltasWithoutAllocating(t *testing.T) {
	k := codec.Msgpack
	frame := wiretest.Frame(k, wiretest.Msg(t, k, "quotes.L0000", 1, 1, false), wiretest.DeltaMsg(t, k, "quotes.L0001", 2, 1))
	f := New(Config{URLs: []string{"ws://127.0.0.1:1/ws"}, Codec: k, SubsPerConn: 2, Subjects: 2, Prefix: "quotes.L"}, 0, 1, nil)
	c := f.conns[0]
	c.handle(frame, 2)
	allocs := testing.AllocsPerRun(100, func() {
		clear(c.track.last)
		c.handle(frame, 2)
	})
	if allocs != 0 || c.deltas == 0 {
		t.Fatalf("%v allocs per frame, %d deltas", allocs, c.deltas)
	}
}
