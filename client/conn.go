package client

import (
	"context"
	"fmt"
	"net/http"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/protocol"
)

// DialOptions tune Dial. The zero value dials JSON, without a token.
type DialOptions struct {
	Codec Codec
	// Subprotocol, when set, is offered instead of the one Codec implies;
	// "-" offers none. For tests of negotiation: the wire is whatever the
	// server agreed (see Conn.Codec).
	Subprotocol string
	Token       string       // sent as "Authorization: Bearer <token>"
	Header      http.Header  // more request headers, e.g. Origin
	HTTPClient  *http.Client // e.g. one trusting a test CA for wss://, or dialing from a given address
	// ReadLimit is the largest server frame accepted; 0 means 4 MiB.
	ReadLimit int64
}

// defaultReadLimit bounds a server frame: the gateway joins at most 64 KiB
// of messages into one frame by default, and a snapshot of a wide pattern
// comes as many frames.
const defaultReadLimit = 4 << 20

// Conn is one ticker.v1 connection, without reconnection or bookkeeping:
// what Client is built on, and what tests use to speak the protocol
// directly. Next must not be called concurrently; the writing methods may be
// called concurrently with each other and with Next.
type Conn struct {
	ws    *websocket.Conn
	url   string
	codec Codec
	batch [][]byte // messages of the last frame not returned yet
}

// Dial opens a connection to url (ws:// or wss://, path /ws).
func Dial(ctx context.Context, url string, opts DialOptions) (*Conn, error) {
	sp := opts.Subprotocol
	if sp == "" {
		sp = opts.Codec.Subprotocol()
	}
	var offer []string
	if sp != "-" {
		offer = []string{sp}
	}
	h := opts.Header
	if opts.Token != "" {
		h = h.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Authorization", "Bearer "+opts.Token)
	}
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: offer, HTTPHeader: h, HTTPClient: opts.HTTPClient})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests) {
			err = &httpRefusal{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), err: err}
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	limit := opts.ReadLimit
	if limit <= 0 {
		limit = defaultReadLimit
	}
	ws.SetReadLimit(limit)
	return &Conn{ws: ws, url: url, codec: codecOf(ws.Subprotocol())}, nil
}

// httpRefusal is an upgrade the server refused with 503 or 429, which may
// say when to come back in Retry-After (see hint.go).
type httpRefusal struct {
	status     int
	retryAfter string // the header's value, "" without one
	err        error
}

func (e *httpRefusal) Error() string { return e.err.Error() }
func (e *httpRefusal) Unwrap() error { return e.err }

// Codec is the encoding the server agreed to.
func (c *Conn) Codec() Codec { return c.codec }

// Subprotocol is the subprotocol the server named in its reply; "" when it
// named none (the wire is JSON then).
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// URL is the address the connection was dialed to.
func (c *Conn) URL() string { return c.url }

// Send encodes op (a map or struct with the ticker.v1 keys) in the
// connection's encoding and sends it as one frame.
func (c *Conn) Send(ctx context.Context, op any) error {
	p, err := encodeOp(c.codec, op)
	if err != nil {
		return fmt.Errorf("encode op: %w", err)
	}
	return c.WriteFrame(ctx, c.codec == Msgpack, p)
}

// Sub sends {"op":"sub","id":id,"subjects":subjects}; a nil id sends none.
func (c *Conn) Sub(ctx context.Context, id any, subjects ...string) error {
	return c.Send(ctx, op(protocol.OpSub, id, subjects))
}

// Unsub sends {"op":"unsub","id":id,"subjects":subjects}.
func (c *Conn) Unsub(ctx context.Context, id any, subjects ...string) error {
	return c.Send(ctx, op(protocol.OpUnsub, id, subjects))
}

// Ping sends {"op":"ping","id":id}.
func (c *Conn) Ping(ctx context.Context, id any) error {
	return c.Send(ctx, op(protocol.OpPing, id, nil))
}

func op(name string, id any, subjects []string) map[string]any {
	m := map[string]any{protocol.KeyOp: name}
	if id != nil {
		m[protocol.KeyID] = id
	}
	if subjects != nil {
		m[protocol.KeySubjects] = subjects
	}
	return m
}

// WriteFrame sends p as one frame, binary or text, whatever the connection's
// encoding: for tests that send what a well-behaved client would not.
func (c *Conn) WriteFrame(ctx context.Context, binary bool, p []byte) error {
	typ := websocket.MessageText
	if binary {
		typ = websocket.MessageBinary
	}
	if err := c.ws.Write(ctx, typ, p); err != nil {
		return fmt.Errorf("write to %s: %w", c.url, err)
	}
	return nil
}

// Next returns the next server message, splitting frames that carry several.
// When the connection has ended, the error is a *CloseError.
func (c *Conn) Next(ctx context.Context) (Message, error) {
	for len(c.batch) == 0 {
		_, frame, err := c.ws.Read(ctx)
		if err != nil {
			return Message{}, closeErrorOf(c.url, err)
		}
		if c.batch, err = splitFrame(c.codec, frame); err != nil {
			c.batch = nil
			return Message{}, err
		}
	}
	p := c.batch[0]
	c.batch = c.batch[1:]
	return decodeMessage(c.codec, p)
}

// Close closes the connection normally (1000) and waits for the server's
// answer, a few seconds at most.
func (c *Conn) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "") }

// CloseWith closes the connection with code and reason.
func (c *Conn) CloseWith(code int, reason string) error {
	return c.ws.Close(websocket.StatusCode(code), reason)
}

// CloseNow drops the connection without a closing handshake.
func (c *Conn) CloseNow() error { return c.ws.CloseNow() }
