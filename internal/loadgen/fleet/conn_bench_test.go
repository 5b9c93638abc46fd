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

// BenchmarkReceiveFrame is one connection's whole receive path, socket to
// accounting, for a frame of 4 JSON updates; with the server's writes it
// must not allocate.
func BenchmarkReceiveFrame(b *testing.B) {
	k := codec.JSON
	var msgs [][]byte
	for i := range 4 {
		msgs = append(msgs, wiretest.Msg(b, k, wire.SubjectName("quotes.L", i), 1, 1, false))
	}
	frame := wiretest.Frame(k, msgs...)
	start := make(chan int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for n := range start {
			for range n {
				if ws.Write(context.Background(), websocket.MessageText, frame) != nil {
					return
				}
			}
		}
	}))
	defer srv.Close()

	cfg := Config{URLs: []string{"ws" + strings.TrimPrefix(srv.URL, "http")}, SubsPerConn: 4, Subjects: 4, Prefix: "quotes.L"}
	f := New(cfg, 0, 1, nil)
	c := f.conns[0]
	ws, _, err := websocket.Dial(b.Context(), cfg.URLs[0], &websocket.DialOptions{HTTPClient: f.clients[0]})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.CloseNow()
	c.ws = ws
	receive := func(n int) {
		start <- n
		for range n {
			fr, err := c.readFrame()
			if err != nil {
				b.Fatal(err)
			}
			c.handle(fr, 2)
			clear(c.track.last) // the same seqs again count as new: the latency path runs
		}
	}
	receive(100) // warm up: buffers grown
	b.ReportAllocs()
	b.ResetTimer()
	receive(b.N)
	b.StopTimer()
	close(start)
	if c.track.delivered != uint64(4*(b.N+100)) {
		b.Fatalf("%d delivered of %d", c.track.delivered, 4*(b.N+100))
	}
}
