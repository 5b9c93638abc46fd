package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/vmihailenco/msgpack/v5"
)

func TestSubprotocolsAreMatchedWithoutRegardToCaseAndTheEchoedOneIsSpoken(t *testing.T) {
	a := startApp(t, nil)
	for _, tc := range []struct {
		offer string
		typ   websocket.MessageType
		label string
	}{
		{"TICKER.V1.MSGPACK", websocket.MessageBinary, "msgpack"},
		{"Ticker.V1.Json", websocket.MessageText, "json"},
	} {
		t.Run(tc.offer, func(t *testing.T) {
			ws, _, err := websocket.Dial(testCtx(t), wsURL(a), &websocket.DialOptions{Subprotocols: []string{tc.offer}})
			if err != nil {
				t.Fatal(err)
			}
			defer ws.CloseNow()
			if got := ws.Subprotocol(); got != tc.offer {
				t.Fatalf("echoed %q, want %q", got, tc.offer)
			}
			ping := []byte(`{"op":"ping","id":"case"}`)
			if tc.typ == websocket.MessageBinary {
				ping = mustMsgpack(t, map[string]any{"op": "ping", "id": "case"})
			}
			if err := ws.Write(testCtx(t), tc.typ, ping); err != nil {
				t.Fatal(err)
			}
			typ, frame, err := ws.Read(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if typ == websocket.MessageBinary {
				err = msgpack.Unmarshal(frame, &m)
			} else {
				err = json.Unmarshal(frame, &m)
			}
			if typ != tc.typ || err != nil || m["op"] != "pong" || m["id"] != "case" {
				t.Fatalf("answer %v %q (%v), want a %v pong", typ, frame, err, tc.typ)
			}
			line := fmt.Sprintf(`ticker_connections{codec=%q}`, tc.label)
			if got := metricLine(t, a, line); !strings.HasSuffix(got, " 1") {
				t.Fatalf("%q, want 1", got)
			}
		})
	}
}
