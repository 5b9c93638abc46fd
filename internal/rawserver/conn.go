package rawserver

import (
	"context"
	"sync"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

// conn is one client: the reader (run) handles ops; the writer writes what is
// queued on out, one frame per message.
type conn struct {
	s        *Server
	ws       *websocket.Conn
	kind     codec.Kind
	typ      websocket.MessageType
	out      chan []byte
	done     chan struct{} // closed by kill
	once     sync.Once
	closing  sync.WaitGroup
	subjects map[string]struct{} // under s.mu
}

func newConn(s *Server, ws *websocket.Conn) *conn {
	c := &conn{s: s, ws: ws, kind: codec.KindOf(ws.Subprotocol()), typ: websocket.MessageText,
		out: make(chan []byte, s.queueLen), done: make(chan struct{}), subjects: map[string]struct{}{}}
	if c.kind == codec.Msgpack {
		c.typ = websocket.MessageBinary
	}
	return c
}

// send queues p, or closes a connection that cannot keep up. It never blocks.
func (c *conn) send(p []byte) {
	select {
	case c.out <- p:
	default:
		c.kill(websocket.StatusPolicyViolation, "slow consumer")
	}
}

// kill starts the closing handshake once, without waiting for it.
func (c *conn) kill(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		close(c.done)
		c.closing.Add(1)
		go func() {
			defer c.closing.Done()
			_ = c.ws.Close(code, reason)
		}()
	})
}

// run serves the connection until it ends.
func (c *conn) run() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.write()
	}()
	c.read()
	c.s.unsubscribe(c, nil)
	c.kill(websocket.StatusNormalClosure, "")
	wg.Wait()
	c.closing.Wait()
	_ = c.ws.CloseNow()
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
}

// write writes queued messages until the connection is killed or fails.
// The background context keeps writes allocation-free; kill unblocks them.
func (c *conn) write() {
	for {
		select {
		case p := <-c.out:
			if err := c.ws.Write(context.Background(), c.typ, p); err != nil {
				_ = c.ws.CloseNow() // the reader sees it and ends the connection
				return
			}
		case <-c.done:
			return
		}
	}
}

// read handles ops until the connection fails.
func (c *conn) read() {
	for {
		_, frame, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		o, err := parseOp(c.kind, frame)
		switch {
		case err != nil:
			c.send(codec.AppendError(c.kind, nil, o.id, "bad_request", err.Error()))
		case o.op == "ping":
			c.send(codec.AppendPong(c.kind, nil, o.id))
		case o.op == "sub":
			if err := c.s.subscribe(c, o.subjects, codec.AppendAck(c.kind, nil, o.id)); err != nil {
				c.send(codec.AppendError(c.kind, nil, o.id, "bad_subject", err.Error()))
			}
		case o.op == "unsub":
			c.s.unsubscribe(c, o.subjects)
			c.send(codec.AppendAck(c.kind, nil, o.id))
		default:
			c.send(codec.AppendError(c.kind, nil, o.id, "bad_request", "unknown op"))
		}
	}
}
