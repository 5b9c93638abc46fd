package app

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

func mustMsgpack(t *testing.T, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBadMsgpackOpsAreBadRequestsAndTheConnectionStaysUsable(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.OpRate = -1 })
	// A map {"op":"sub","id":1,"subjects":<array32 declaring 2^32-1 items>}.
	hugeSubjects := append(mustMsgpack(t, map[string]any{"op": "sub", "id": 1})[:0:0], 0x83)
	hugeSubjects = append(hugeSubjects, mustMsgpack(t, "op")...)
	hugeSubjects = append(hugeSubjects, mustMsgpack(t, "sub")...)
	hugeSubjects = append(hugeSubjects, mustMsgpack(t, "id")...)
	hugeSubjects = append(hugeSubjects, mustMsgpack(t, 1)...)
	hugeSubjects = append(hugeSubjects, mustMsgpack(t, "subjects")...)
	hugeSubjects = append(hugeSubjects, 0xdd, 0xff, 0xff, 0xff, 0xff)
	tests := []struct {
		name   string
		frame  []byte
		wantID string
	}{
		{"a byte msgpack never uses", []byte{0xc1}, ""},
		{"an array instead of a map", mustMsgpack(t, []int{1, 2}), ""},
		{"a map declaring 2^32-1 entries", []byte{0xdf, 0xff, 0xff, 0xff, 0xff}, ""},
		{"a subjects array declaring 2^32-1 items", hugeSubjects, ""}, // the frame does not parse: no id
		{"a string longer than the frame", []byte{0x81, 0xa2, 'o', 'p', 0xdb, 0, 0, 0x10, 0, 's', 'u', 'b'}, ""},
		{"a truncated map", []byte{0x83, 0xa2, 'o', 'p'}, ""},
		{"an unknown op", mustMsgpack(t, map[string]any{"op": "nope", "id": 2}), "2"},
		{"an id that is a map", mustMsgpack(t, map[string]any{"op": "ping", "id": map[string]int{"a": 1}}), ""},
		{"subjects of a wrong type", mustMsgpack(t, map[string]any{"op": "sub", "id": 3, "subjects": 7}), "3"},
		{"an empty frame", []byte{}, ""},
	}
	c := dial(t, a, codec.Msgpack)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.WriteFrame(testCtx(t), true, tt.frame); err != nil {
				t.Fatal(err)
			}
			m := next(t, c, "error")
			gotID := ""
			if m.ID != nil {
				gotID = fmt.Sprint(m.ID)
			}
			if m.Code != "bad_request" || gotID != tt.wantID {
				t.Fatalf("got %+v, want bad_request with id %q", m, tt.wantID)
			}
			barrier(t, c, "still-usable")
		})
	}
}

func TestRequestsToTheWSEndpointThatAreNotWebSocketUpgradesAreRefused(t *testing.T) {
	a := startApp(t, nil)
	upgrade := http.Header{
		"Connection": {"Upgrade"}, "Upgrade": {"websocket"},
		"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="},
	}
	without := func(key string) http.Header {
		h := upgrade.Clone()
		h.Del(key)
		return h
	}
	tests := []struct {
		name   string
		method string
		header http.Header
		want   int
	}{
		{"a plain GET", http.MethodGet, nil, http.StatusUpgradeRequired},
		{"a POST", http.MethodPost, upgrade, http.StatusMethodNotAllowed},
		{"an unsupported protocol version", http.MethodGet, func() http.Header {
			h := upgrade.Clone()
			h.Set("Sec-Websocket-Version", "8")
			return h
		}(), http.StatusBadRequest},
		{"no Sec-WebSocket-Key", http.MethodGet, without("Sec-Websocket-Key"), http.StatusBadRequest},
		{"no Upgrade header", http.MethodGet, without("Upgrade"), http.StatusUpgradeRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(testCtx(t), tt.method, "http://"+a.Addr()+"/ws", nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %s, want %d", resp.Status, tt.want)
			}
		})
	}
	barrier(t, dial(t, a, codec.JSON), "the gateway still serves")
}

func TestMalformedFeedPayloadsAreCountedAndNeverForwarded(t *testing.T) {
	a := startApp(t, nil)
	c := dial(t, a, codec.JSON)
	sub(t, c, 1, "quotes.>")
	p := newPublisher(t, a)
	bad := []struct {
		name    string
		payload []byte
	}{
		{"not msgpack", []byte("hello")},
		{"an array, not a map", mustMsgpack(t, []int{1, 2, 3})},
		{"no seq", mustMsgpack(t, map[string]any{"symbol": "X", "ts": 1})},
		{"no ts", mustMsgpack(t, map[string]any{"symbol": "X", "seq": 1})},
		{"seq of a wrong type", mustMsgpack(t, map[string]any{"seq": "one", "ts": 1})},
		{"a truncated map", []byte{0x85, 0xa3, 's', 'e', 'q', 0x01}},
		{"empty", nil},
		{"a large junk payload", []byte(strings.Repeat("\xc1", 512<<10))},
	}
	for _, b := range bad {
		p.raw("quotes.BAD", b.payload)
	}
	p.quote("GOOD", 1) // after every bad one, on a subject the client holds
	if m := next(t, c, "msg"); m.Subject != "quotes.GOOD" {
		t.Fatalf("first message after the bad payloads: %+v", m)
	}
	want := fmt.Sprintf(`ticker_feed_messages_total{result="malformed"} %d`, len(bad))
	if got := metricLine(t, a, `ticker_feed_messages_total{result="malformed"}`); got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}

func TestSubscriptionChurnLeavesNothingBehind(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.OpRate = -1 })
	before := a.embedded.Subscriptions()
	c := dial(t, a, codec.JSON)
	for i := range 200 {
		subject := fmt.Sprintf("quotes.C%d", i%7)
		sub(t, c, i, subject)
		if err := c.Unsub(testCtx(t), i, subject); err != nil {
			t.Fatal(err)
		}
		next(t, c, "ack")
	}
	barrier(t, c, "done")
	if got := metricLine(t, a, "ticker_subscriptions"); got != "ticker_subscriptions 0" {
		t.Fatalf("%q after the churn", got)
	}
	waitFor(t, "NATS to drop the gateway's subscriptions", func() bool { return a.embedded.Subscriptions() == before })
}

func TestAConnectionCutMidFrameIsCleanedUp(t *testing.T) {
	a := startApp(t, nil)
	conn, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	req := "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := conn.Read(buf); err != nil || !strings.Contains(string(buf[:n]), "101") {
		t.Fatalf("upgrade answered %q, %v", buf[:n], err)
	}
	waitFor(t, "the connection to count", func() bool {
		return metricLine(t, a, `ticker_connections{codec="json"}`) == `ticker_connections{codec="json"} 1`
	})
	// A masked text frame header announcing 100 bytes, 3 of them sent, then
	// the socket closes.
	if _, err := conn.Write([]byte{0x81, 0x80 | 100, 1, 2, 3, 4, 'a', 'b', 'c'}); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	waitFor(t, "the session to end", func() bool {
		return metricLine(t, a, `ticker_connections{codec="json"}`) == `ticker_connections{codec="json"} 0`
	})
	barrier(t, dial(t, a, codec.JSON), "the gateway still serves")
}
