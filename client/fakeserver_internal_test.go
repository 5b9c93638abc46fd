package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

// fakeServer accepts ticker.v1 (JSON) connections and hands each to the
// test, which speaks the server's side by hand: for features the gateway
// of this branch may not have yet.
type fakeServer struct {
	URL   string
	conns chan *fakeConn
}

type fakeConn struct {
	t  *testing.T
	ws *websocket.Conn
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{conns: make(chan *fakeConn, 4)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{codec.SubprotocolJSON}})
		if err != nil {
			return
		}
		f.conns <- &fakeConn{t: t, ws: ws} // hijacked: it outlives the handler
	}))
	t.Cleanup(srv.Close)
	f.URL = "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	return f
}

// accept waits for the next connection.
func (f *fakeServer) accept() *fakeConn {
	select {
	case c := <-f.conns:
		c.t.Cleanup(func() { _ = c.ws.CloseNow() })
		return c
	case <-time.After(10 * time.Second):
		panic("no connection")
	}
}

// readOp reads the next op of the client, answering pings with pongs, until
// one named name comes.
func (c *fakeConn) readOp(name string) map[string]any {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, p, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("read op: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			c.t.Fatal(err)
		}
		if m["op"] == "ping" && name != "ping" {
			c.write(codec.AppendPong(codec.JSON, nil, idOfOp(m)))
			continue
		}
		if m["op"] == name {
			return m
		}
	}
}

// idOfOp is the id of an op the client sent (always an integer).
func idOfOp(m map[string]any) codec.ID { n, _ := m["id"].(float64); return codec.IntID(int64(n)) }

func (c *fakeConn) write(frame []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, frame); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// ack acknowledges op m.
func (c *fakeConn) ack(m map[string]any) { c.write(codec.AppendAck(codec.JSON, nil, idOfOp(m))) }
