package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestBadOpsGetTheirErrorCodeAndTheConnectionStaysUsable(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.OpRate = -1 }) // many ops in a row
	tooDeep := "quotes" + strings.Repeat(".x", 16)             // 17 tokens
	tooLong := "quotes." + strings.Repeat("A", 250)            // 257 bytes
	longID := strings.Repeat("i", 65)
	nested := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	var many []string
	for i := range 257 {
		many = append(many, fmt.Sprintf(`"quotes.S%d"`, i))
	}
	manySubjects := strings.Join(many, ",")
	tests := []struct {
		name     string
		frame    string
		wantCode string
		wantID   string // "" means no id in the reply
		wantText string // part of msg
	}{
		{"invalid JSON", `{"op":"sub",`, "bad_request", "", ""},
		{"not an object", `[1,2]`, "bad_request", "", ""},
		{"unknown op", `{"op":"subscribe","id":4}`, "bad_request", "4", ""},
		{"missing subjects", `{"op":"sub","id":5}`, "bad_request", "5", ""},
		{"empty subjects", `{"op":"sub","id":6,"subjects":[]}`, "bad_request", "6", ""},
		{"subjects not strings", `{"op":"sub","id":7,"subjects":[1]}`, "bad_request", "7", ""},
		{"id of a wrong type", `{"op":"ping","id":[1]}`, "bad_request", "", ""},
		{"empty token", `{"op":"sub","id":8,"subjects":["quotes..X"]}`, "bad_subject", "8", "quotes..X"},
		{"space in a token", `{"op":"sub","id":9,"subjects":["quotes.A B"]}`, "bad_subject", "9", "quotes.A B"},
		{"17 tokens", `{"op":"sub","id":10,"subjects":["` + tooDeep + `"]}`, "bad_subject", "10", tooDeep},
		{"prefix not allowed", `{"op":"sub","id":11,"subjects":["news.x"]}`, "forbidden", "11", "news.x"},
		{"first failing subject decides", `{"op":"sub","id":12,"subjects":["quotes.OK","news.x","quotes..X"]}`, "forbidden", "12", "news.x"},
		{"missing op", `{"id":13}`, "bad_request", "13", ""},
		{"op not a string", `{"op":5,"id":14}`, "bad_request", "14", ""},
		{"duplicate key", `{"op":"ping","op":"sub","id":15}`, "bad_request", "15", "given twice"},
		{"id string over 64 bytes", `{"op":"ping","id":"` + longID + `"}`, "bad_request", "", ""},
		{"fractional id", `{"op":"ping","id":1.5}`, "bad_request", "", ""},
		{"id beyond int64", `{"op":"ping","id":1e400}`, "bad_request", "", ""},
		{"subjects not an array", `{"op":"sub","id":16,"subjects":"quotes.X"}`, "bad_request", "16", ""},
		{"subjects null", `{"op":"sub","id":17,"subjects":null}`, "bad_request", "17", ""},
		{"subject over 256 bytes", `{"op":"sub","id":18,"subjects":["` + tooLong + `"]}`, "bad_subject", "18", ""},
		{"empty subject", `{"op":"sub","id":19,"subjects":[""]}`, "bad_subject", "19", ""},
		{"leading dot", `{"op":"sub","id":20,"subjects":[".quotes.X"]}`, "bad_subject", "20", ""},
		{"trailing dot", `{"op":"sub","id":21,"subjects":["quotes.X."]}`, "bad_subject", "21", ""},
		{"full wildcard not last", `{"op":"sub","id":22,"subjects":["quotes.>.X"]}`, "bad_subject", "22", ""},
		{"wildcard inside a token", `{"op":"sub","id":23,"subjects":["quotes.A*"]}`, "bad_subject", "23", ""},
		{"non-ASCII token", `{"op":"sub","id":24,"subjects":["quotes.ÄPPL"]}`, "bad_subject", "24", ""},
		{"control character in a token", `{"op":"sub","id":25,"subjects":["quotes.A\u0000B"]}`, "bad_subject", "25", ""},
		{"bad subject in an unsub", `{"op":"unsub","id":26,"subjects":["quotes..X"]}`, "bad_subject", "26", ""},
		{"everything under a forbidden root", `{"op":"sub","id":27,"subjects":[">"]}`, "forbidden", "27", ""},
		{"more subjects in one op than allowed", `{"op":"sub","id":28,"subjects":[` + manySubjects + `]}`, "too_many_subscriptions", "28", ""},
		{"trailing garbage", `{"op":"ping","id":29} x`, "bad_request", "29", "trailing"},
		{"two objects in one frame", `{"op":"ping","id":30}{"op":"ping","id":31}`, "bad_request", "30", "trailing"},
		{"empty frame", ``, "bad_request", "", ""},
		{"JSON null", `null`, "bad_request", "", ""},
		{"deeply nested arrays", nested, "bad_request", "", ""},
	}
	c := dial(t, a, codec.JSON)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.WriteFrame(testCtx(t), false, []byte(tt.frame)); err != nil {
				t.Fatal(err)
			}
			m := next(t, c, "error")
			gotID := ""
			if m.ID != nil {
				gotID = fmt.Sprint(m.ID)
			}
			if m.Code != tt.wantCode || gotID != tt.wantID || !strings.Contains(m.Msg, tt.wantText) {
				t.Fatalf("got %+v, want code %s id %q msg containing %q", m, tt.wantCode, tt.wantID, tt.wantText)
			}
			barrier(t, c, "still-usable")
		})
	}
}

func TestAllOrNothingSubscribeHoldsNothingAfterAnError(t *testing.T) {
	a := startApp(t, nil)
	pub := newPublisher(t, a)
	c := dial(t, a, codec.JSON)
	if err := c.Sub(testCtx(t), 1, "quotes.AAPL", "news.x"); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c, "error"); m.Code != "forbidden" {
		t.Fatalf("got %+v", m)
	}
	sub(t, c, 2, "quotes.MSFT")
	pub.quote("AAPL", 1) // would arrive first if the failed sub had taken effect
	pub.quote("MSFT", 1)
	if m := next(t, c, "msg"); m.Subject != "quotes.MSFT" {
		t.Fatalf("got %s: the failed sub took effect", m.Subject)
	}
}

func TestTheSubscriptionPastTheLimitIsRefused(t *testing.T) {
	a := startApp(t, func(c *Config) { c.MaxSubs = 256 })
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			c := dial(t, a, k)
			subjects := make([]string, 256)
			for i := range subjects {
				subjects[i] = fmt.Sprintf("quotes.S%04d", i)
			}
			sub(t, c, 1, subjects[:200]...)
			sub(t, c, 2, subjects[150:]...) // overlaps: 256 distinct in all
			if err := c.Sub(testCtx(t), 3, "quotes.ONE_MORE"); err != nil {
				t.Fatal(err)
			}
			m := next(t, c, "error")
			if m.Code != "too_many_subscriptions" || fmt.Sprint(m.ID) != "3" || !strings.Contains(m.Msg, "quotes.ONE_MORE") {
				t.Fatalf("got %+v, want too_many_subscriptions naming quotes.ONE_MORE", m)
			}
			sub(t, c, 4, "quotes.S0000") // already held: still fine
			barrier(t, c, "usable")
		})
	}
}

func TestAFrameOfTheWrongTypeIsABadRequest(t *testing.T) {
	a := startApp(t, nil)
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			c := dial(t, a, k)
			binary := k != codec.Msgpack // the other type than the connection's
			if err := c.WriteFrame(testCtx(t), binary, []byte(`{"op":"ping","id":1}`)); err != nil {
				t.Fatal(err)
			}
			if m := next(t, c, "error"); m.Code != "bad_request" || m.ID != nil {
				t.Fatalf("got %+v", m)
			}
			barrier(t, c, "usable")
		})
	}
}

func TestAFrameOverTheReadLimitClosesWith1009(t *testing.T) {
	a := startApp(t, nil)
	c := dial(t, a, codec.JSON)
	big := `{"op":"ping","id":"` + strings.Repeat("x", 65<<10) + `"}`
	_ = c.WriteFrame(testCtx(t), false, []byte(big))
	_, err := c.Next(testCtx(t))
	if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
		t.Fatalf("close status %v (%v), want 1009", got, err)
	}
}

func TestSubprotocolNegotiation(t *testing.T) {
	a := startApp(t, nil)
	tests := []struct {
		offer string
		want  codec.Kind
		reply string
	}{
		{codec.SubprotocolJSON, codec.JSON, codec.SubprotocolJSON},
		{codec.SubprotocolMsgpack, codec.Msgpack, codec.SubprotocolMsgpack},
		{"-", codec.JSON, ""},              // none offered
		{"ticker.v2.cbor", codec.JSON, ""}, // only unknown ones
	}
	for _, tt := range tests {
		t.Run(tt.offer, func(t *testing.T) {
			c, err := dialOffer(t, a, tt.offer)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Subprotocol(); got != tt.reply || c.Codec() != wire(tt.want) {
				t.Fatalf("subprotocol %q kind %s, want %q %s", got, c.Codec(), tt.reply, tt.want)
			}
			barrier(t, c, "p") // JSON on the wire when nothing was agreed
		})
	}
}
