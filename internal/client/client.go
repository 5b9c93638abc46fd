package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/coder/websocket"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// Conn is one ticker.v1 connection. It is not safe for concurrent Next calls.
type Conn struct {
	ws    *websocket.Conn
	kind  codec.Kind
	batch [][]byte // messages of the last frame not yet returned
}

// Message is one server message, decoded.
type Message struct {
	Op       string `json:"op" msgpack:"op"`
	ID       any    `json:"id,omitempty" msgpack:"id,omitempty"`
	Code     string `json:"code,omitempty" msgpack:"code,omitempty"`
	Msg      string `json:"msg,omitempty" msgpack:"msg,omitempty"`
	Subject  string `json:"subject,omitempty" msgpack:"subject,omitempty"`
	Snapshot bool   `json:"snapshot,omitempty" msgpack:"snapshot,omitempty"`
	data     []byte // the update as it came: a JSON object or a msgpack map
	kind     codec.Kind
}

// Options tune Dial. The zero value dials JSON with no extra headers.
type Options struct {
	Codec       codec.Kind
	Subprotocol string       // overrides the one Codec implies; "-" offers none
	Header      http.Header  // e.g. Origin
	HTTPClient  *http.Client // e.g. one trusting a test CA, for wss://
}

// Dial opens a connection to url (ws:// or wss://).
func Dial(ctx context.Context, url string, opts Options) (*Conn, error) {
	sp := opts.Subprotocol
	if sp == "" {
		sp = codec.SubprotocolJSON
		if opts.Codec == codec.Msgpack {
			sp = codec.SubprotocolMsgpack
		}
	}
	var sps []string
	if sp != "-" {
		sps = []string{sp}
	}
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: sps, HTTPHeader: opts.Header, HTTPClient: opts.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	ws.SetReadLimit(4 << 20)
	return &Conn{ws: ws, kind: codec.KindOf(ws.Subprotocol())}, nil
}

// Kind is the encoding the server agreed to.
func (c *Conn) Kind() codec.Kind { return c.kind }

// WS is the underlying WebSocket, for tests that send raw frames.
func (c *Conn) WS() *websocket.Conn { return c.ws }

// Send encodes op (a map or struct with the ticker.v1 keys) in the
// connection's encoding and sends it as one frame.
func (c *Conn) Send(ctx context.Context, op any) error {
	var p []byte
	var err error
	typ := websocket.MessageText
	if c.kind == codec.Msgpack {
		typ = websocket.MessageBinary
		p, err = msgpack.Marshal(op)
	} else {
		p, err = json.Marshal(op)
	}
	if err != nil {
		return fmt.Errorf("encode op: %w", err)
	}
	return c.ws.Write(ctx, typ, p)
}

// Sub sends {"op":"sub","id":id,"subjects":subjects}.
func (c *Conn) Sub(ctx context.Context, id any, subjects ...string) error {
	return c.Send(ctx, map[string]any{"op": "sub", "id": id, "subjects": subjects})
}

// Unsub sends {"op":"unsub","id":id,"subjects":subjects}.
func (c *Conn) Unsub(ctx context.Context, id any, subjects ...string) error {
	return c.Send(ctx, map[string]any{"op": "unsub", "id": id, "subjects": subjects})
}

// Ping sends {"op":"ping","id":id}.
func (c *Conn) Ping(ctx context.Context, id any) error {
	return c.Send(ctx, map[string]any{"op": "ping", "id": id})
}

// Next returns the next server message, splitting frames that carry several.
func (c *Conn) Next(ctx context.Context) (Message, error) {
	for len(c.batch) == 0 {
		_, frame, err := c.ws.Read(ctx)
		if err != nil {
			return Message{}, err
		}
		if c.batch, err = split(c.kind, frame); err != nil {
			return Message{}, err
		}
	}
	p := c.batch[0]
	c.batch = c.batch[1:]
	return decode(c.kind, p)
}

// Close closes the connection normally.
func (c *Conn) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "") }

// split cuts a frame into its messages: lines for JSON, values for msgpack.
func split(k codec.Kind, frame []byte) ([][]byte, error) {
	var out [][]byte
	if k == codec.JSON {
		for _, line := range bytes.Split(frame, []byte{'\n'}) {
			if len(line) > 0 {
				out = append(out, line)
			}
		}
		return out, nil
	}
	for len(frame) > 0 {
		r := codec.NewReader(frame)
		if err := r.Skip(); err != nil {
			return nil, fmt.Errorf("split msgpack frame: %w", err)
		}
		n := len(frame) - r.Len()
		out = append(out, frame[:n])
		frame = frame[n:]
	}
	return out, nil
}

func decode(k codec.Kind, p []byte) (Message, error) {
	m := Message{kind: k}
	if k == codec.JSON {
		var env struct {
			Message
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(p, &env); err != nil {
			return m, fmt.Errorf("decode %q: %w", p, err)
		}
		m, m.data, m.kind = env.Message, env.Data, k
		return m, nil
	}
	var env struct {
		Message `msgpack:",inline"`
		Data    msgpack.RawMessage `msgpack:"data"`
	}
	if err := msgpack.Unmarshal(p, &env); err != nil {
		return m, fmt.Errorf("decode msgpack message: %w", err)
	}
	m, m.data, m.kind = env.Message, env.Data, k
	return m, nil
}

// Decode reads the data of a msg into v (a *codec.Quote, *codec.Score or map).
func (m Message) Decode(v any) error {
	if len(m.data) == 0 {
		return errors.New("message has no data")
	}
	if m.kind == codec.Msgpack {
		return msgpack.Unmarshal(m.data, v)
	}
	return json.Unmarshal(m.data, v)
}

// Header returns the seq and ts of a msg's data.
func (m Message) Header() (codec.Header, error) {
	var h struct {
		Seq uint64 `json:"seq" msgpack:"seq"`
		TS  int64  `json:"ts" msgpack:"ts"`
	}
	err := m.Decode(&h)
	return codec.Header{Seq: h.Seq, TS: h.TS}, err
}
