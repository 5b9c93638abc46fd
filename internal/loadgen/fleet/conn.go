package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/wire"
	"github.com/ticker-dev/ticker/internal/protocol"
)

// Connection limits and timeouts.
const (
	maxFrame    = 16 << 20 // the largest frame read; beyond it the connection closes with 1009
	firstBuffer = 4 << 10  // a connection's read buffer to start with
	dialTimeout = 15 * time.Second
	ackTimeout  = 15 * time.Second
)

// errClosing ends a connection dialed while the fleet closes.
var errClosing = errors.New("load generator closing")

// conn is one subscriber connection: its goroutine dials, subscribes, and
// reads and accounts every frame until the connection ends.
type conn struct {
	f     *Fleet
	idx   int // index in the whole load (all processes)
	local int // index in this process
	stall bool
	url   int                            // index in URLs of the server dialed last
	ws    *websocket.Conn                // owned by the connection's goroutine
	wsp   atomic.Pointer[websocket.Conn] // the same, for close
	buf   []byte                         // the frame being read; allocated on the first read
	track seqTrack
	lat   latBuf

	// Read by other goroutines while the connection runs.
	delivered atomic.Uint64
	advanced  atomic.Uint64
	live      atomic.Bool // subscribed and reading
	idle      atomic.Bool // stalled: subscribed, then never read

	// Written by the connection's goroutine, read after it ended.
	awaiting    bool   // a sub was sent, neither its ack nor an error came yet
	acked       bool   // the first sub was acknowledged
	refused     bool   // the last sub was answered with an error
	moved       bool   // a server closed it after it subscribed (1001 or 1013)
	closeCode   int    // how the connection ended; 0: closed by the load generator
	lostAtClose uint64 // lost when the server ended the connection
	snapshots   uint64
	malformed   uint64
	protoErrors uint64
	foreign     uint64 // updates of subjects the connection does not hold
	deltas      uint64 // deliveries that came as field deltas
	revoked     uint64 // revoked messages
	payload     uint64 // message bytes received (frames as the WebSocket library returns them)
}

// run is the connection's goroutine. It releases its dial slot once
// subscribed, failed or waiting to retry, and calls f.ready.Done once
// subscribed or failed.
func (c *conn) run(ctx context.Context, slot <-chan struct{}) {
	defer c.f.wg.Done()
	released, settled := false, false
	release := func() {
		if !released {
			released = true
			<-slot
		}
	}
	settle := func() {
		release()
		if !settled {
			settled = true
			c.f.ready.Done()
		}
	}
	defer settle()

	c.url = c.idx % len(c.f.cfg.URLs)
	err, ok := c.open(ctx, release, func() bool {
		settle()
		return c.stall || c.refused // a stalled connection stops reading here
	})
	if !ok {
		return
	}
	if c.stall {
		return // left open and unread until DrainStalled
	}
	err = c.follow(ctx, err)
	if !c.f.closing.Load() {
		c.closeCode = closeCodeOf(err)
		c.lostAtClose = c.track.lost(c.f.uptoNow(c))
		c.f.disconnected(c.closeCode, c.lostAtClose)
		_ = c.ws.CloseNow()
	}
}

// read reads the connection until it ends and returns why. Once the server
// has answered the sub (ack or error), answered runs and says whether to stop
// reading there. Without an answer within ackTimeout the connection is cut.
func (c *conn) read(answered func() (stop bool)) error {
	ws := c.ws
	timer := time.AfterFunc(ackTimeout, func() { _ = ws.CloseNow() })
	defer timer.Stop()
	done := false
	err := c.readLoop(func() bool {
		if done || c.awaiting {
			return false
		}
		done = true
		timer.Stop()
		if !c.refused {
			if c.stall {
				c.f.stalledUp.Add(1)
				c.idle.Store(true)
			}
			c.live.Store(!c.stall)
		}
		return answered()
	})
	c.live.Store(false)
	c.lat.flush(time.Now().UnixNano())
	return err
}

// dialAndSub opens the WebSocket and sends the sub op.
func (c *conn) dialAndSub(ctx context.Context) error {
	f := c.f
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	url := f.cfg.URLs[c.url]
	sp := codec.SubprotocolJSON
	if f.cfg.Codec == codec.Msgpack {
		sp = codec.SubprotocolMsgpack
	}
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:      f.clients[c.local%len(f.clients)],
		Subprotocols:    []string{sp},
		CompressionMode: CompressionOf(f.cfg.Compression),
	})
	if err != nil {
		if rerr := handshakeRefusal(url, resp); rerr != nil {
			return rerr
		}
		return fmt.Errorf("dial %s: %w", url, err)
	}
	ws.SetReadLimit(maxFrame)
	c.ws = ws
	c.wsp.Store(ws)
	if f.closing.Load() { // close missed it
		_ = ws.CloseNow()
		return errClosing
	}
	subjects := make([]string, f.cfg.SubsPerConn)
	for j := range subjects {
		subjects[j] = wire.SubjectName(f.cfg.Prefix, f.cs.subject(c.idx, j))
	}
	c.awaiting, c.refused = true, false
	op := map[string]any{protocol.KeyOp: protocol.OpSub, protocol.KeyID: 1, protocol.KeySubjects: subjects}
	if f.cfg.MaxRate > 0 {
		op[protocol.KeyMaxRate] = f.cfg.MaxRate
	}
	if f.cfg.Delta {
		op[protocol.KeyDelta] = true
	}
	typ := websocket.MessageText
	var p []byte
	if f.cfg.Codec == codec.Msgpack {
		typ = websocket.MessageBinary
		p, err = msgpack.Marshal(op)
	} else {
		p, err = json.Marshal(op)
	}
	if err == nil {
		err = ws.Write(ctx, typ, p)
	}
	if err != nil {
		_ = ws.CloseNow()
		return fmt.Errorf("subscribe on %s: %w", url, err)
	}
	return nil
}

// readLoop reads frames until the connection fails or, checked after each
// frame, stop says so. Reads use the background context: a cancellable one
// makes the library allocate on every read; the connection is stopped by
// closing it instead.
func (c *conn) readLoop(stop func() bool) error {
	for {
		frame, err := c.readFrame()
		if err != nil {
			return err
		}
		c.handle(frame, time.Now().UnixNano())
		if stop() {
			return nil
		}
	}
}

// readFrame reads the next frame whole into the connection's buffer, which
// grows when a frame does not fit (up to maxFrame, the read limit).
func (c *conn) readFrame() ([]byte, error) {
	_, r, err := c.ws.Reader(context.Background())
	if err != nil {
		return nil, err
	}
	n := 0
	for {
		if n == len(c.buf) {
			c.buf = append(c.buf, make([]byte, max(len(c.buf), firstBuffer))...)
		}
		m, err := r.Read(c.buf[n:])
		n += m
		if errors.Is(err, io.EOF) {
			return c.buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// handle accounts every message of a frame received at now.
func (c *conn) handle(frame []byte, now int64) {
	f := c.f
	c.payload += uint64(len(frame))
	for len(frame) > 0 {
		m, rest, err := f.parser.Next(f.cfg.Codec, frame)
		frame = rest
		if err != nil {
			c.malformed++
			continue
		}
		switch m.Op {
		case wire.OpMsg:
			c.update(m, now)
		case wire.OpAck:
			if c.awaiting {
				c.awaiting, c.acked = false, true
			}
		case wire.OpRevoked:
			c.revoked++
		case wire.OpError:
			c.protoErrors++
			if c.awaiting {
				c.awaiting, c.refused = false, true
			}
		}
	}
	c.delivered.Store(c.track.delivered)
	c.advanced.Store(c.track.advanced)
}

// update accounts one msg.
func (c *conn) update(m wire.Message, now int64) {
	if m.Snapshot {
		c.snapshots++
		return
	}
	slot := c.f.cs.slot(c.idx, m.Subject)
	if slot < 0 || !m.HasSeq {
		c.foreign++
		return
	}
	if c.track.update(slot, m.Seq) {
		c.lat.record(now-m.TS, now, c.f.moves.window(c.moved)) // a delta's ts is always there
		if m.Delta {
			c.deltas++
		}
	}
}

// closeCodeOf is the close code that ended a connection: the server's close
// frame, or 1006 when the connection ended without one.
func closeCodeOf(err error) int {
	if code := websocket.CloseStatus(err); code >= 0 {
		return int(code)
	}
	return int(websocket.StatusAbnormalClosure)
}
