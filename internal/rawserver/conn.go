package rawserver

import (
	"context"
	"sync"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/subscribe"
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

// read handles ops until the connection fails. Ops are read by the
// gateway's own parser, so ids, error codes and the frame type follow the
// protocol; a subject is only checked for its form.
func (c *conn) read() {
	for {
		typ, frame, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		if typ != c.typ {
			c.send(codec.AppendError(c.kind, nil, codec.ID{}, subscribe.CodeBadRequest, "a "+typ.String()+" frame on a "+c.kind.String()+" connection"))
			continue
		}
		op, perr := c.s.parser.Parse(c.kind, frame)
		if perr == nil && op.Kind != subscribe.OpPing {
			perr = subscribe.Policy{}.CheckUnsub(op) // the form of every subject
		}
		switch {
		case perr != nil:
			c.send(codec.AppendError(c.kind, nil, perr.ID, perr.Code, perr.Msg))
		case op.Kind == subscribe.OpPing:
			c.send(codec.AppendPong(c.kind, nil, op.ID))
		case op.Kind == subscribe.OpSub:
			if err := c.s.subscribe(c, op.Subjects, codec.AppendAck(c.kind, nil, op.ID)); err != nil {
				c.send(codec.AppendError(c.kind, nil, op.ID, subscribe.CodeBadSubject, err.Error()))
			}
		default:
			c.s.unsubscribe(c, op.Subjects)
			c.send(codec.AppendAck(c.kind, nil, op.ID))
		}
	}
}
