package app

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// The close code counted is the close code sent, and a client that leaves
// is counted as gone (1006), never as the gateway's failure (1011).

// wsRaw upgrades a raw connection to /ws, so that the test can send frames
// no well-behaved client would and read the close frame the gateway sends.
func wsRaw(t *testing.T, a *App) *rawConn {
	t.Helper()
	c := dialRaw(t, a)
	c.send(http.MethodGet, "/ws", upgradeHeaders, "")
	if resp, _ := c.answer(http.MethodGet); resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %s", resp.Status)
	}
	return c
}

// clientFrame is a masked client frame (zero key) with header byte b0.
func clientFrame(b0 byte, payload []byte) []byte {
	f := []byte{b0}
	if n := len(payload); n < 126 {
		f = append(f, 0x80|byte(n))
	} else {
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	}
	return append(append(f, 0, 0, 0, 0), payload...)
}

// closeCode reads server frames up to the close frame and returns its code;
// 1006 if the connection ends without one.
func (c *rawConn) closeCode() int {
	c.t.Helper()
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return 1006
		}
		n := int(h[1] & 0x7f)
		if n == 126 {
			var ext [2]byte
			if _, err := io.ReadFull(c.br, ext[:]); err != nil {
				return 1006
			}
			n = int(binary.BigEndian.Uint16(ext[:]))
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(c.br, p); err != nil {
			return 1006
		}
		if h[0]&0x0f == 0x8 && n >= 2 {
			return int(binary.BigEndian.Uint16(p))
		}
	}
}

func TestServerClosesAreCountedWithTheCodeSent(t *testing.T) {
	const limit = 1024
	a := startApp(t, func(c *Config) { c.Limits.ReadLimit = limit })
	for _, tc := range []struct {
		name  string
		frame []byte
		code  int
	}{
		{"a frame over the read limit", clientFrame(0x81, make([]byte, limit+1)), 1009},
		{"an unknown opcode", clientFrame(0x83, nil), 1002},
		{"a continuation frame with no message", clientFrame(0x80, []byte("x")), 1002},
		{"reserved bits set", clientFrame(0xc1, []byte("x")), 1002},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := wsRaw(t, a)
			before := metricSum(t, a, fmt.Sprintf(`ticker_connections_closed_total{code="%d"}`, tc.code))
			if _, err := c.nc.Write(tc.frame); err != nil {
				t.Fatal(err)
			}
			if got := c.closeCode(); got != tc.code {
				t.Fatalf("the client got close %d, want %d", got, tc.code)
			}
			waitFor(t, fmt.Sprintf("close %d to be counted", tc.code), func() bool {
				return metricSum(t, a, fmt.Sprintf(`ticker_connections_closed_total{code="%d"}`, tc.code)) == before+1
			})
		})
	}
	if got := metricSum(t, a, `ticker_connections_closed_total{code="1006"}`); got != 0 {
		t.Fatalf("%v closes counted as 1006", got)
	}
}

func TestAClientThatLeavesDuringItsSSESubscribeIsCountedAsGone(t *testing.T) {
	a := startApp(t, nil)
	p := newPublisher(t, a)
	for i := range 300 { // snapshots for the stream to read as it subscribes
		p.quote(fmt.Sprintf("L%03d", i), float64(i))
	}
	const n = 30
	for range n {
		// Hang up as the stream begins: its headers come just before the
		// gateway subscribes and reads the snapshots.
		c := dialRaw(t, a)
		c.send(http.MethodGet, "/sse?subjects=quotes.>", "", "")
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("stream: %v %v", resp, err)
		}
		c.nc.Close()
	}
	waitFor(t, "every stream to be opened and closed", func() bool {
		return metricSum(t, a, "ticker_connections_opened_total") == n &&
			metricSum(t, a, `ticker_connections_closed_total{code="1006"}`)+
				metricSum(t, a, `ticker_connections_closed_total{code="1011"}`) == n
	})
	if got := metricSum(t, a, `ticker_connections_closed_total{code="1011"}`); got != 0 {
		t.Fatalf("%v clients that left were counted as internal errors", got)
	}
}

func TestAnSSEStreamTheGatewayEndsIsCountedWithTheCodeOfItsCloseEvent(t *testing.T) {
	a := startAuthApp(t)
	// exp has a resolution of seconds: this one expires within 1-2 s.
	tok := token(t, testSecret, []string{"quotes.>"}, time.Now().Add(2*time.Second))
	_, next := openSSE(t, a, "subjects=quotes.X&token="+tok, nil)
	for {
		ev := next()
		if ev.name != "close" {
			continue
		}
		var c struct {
			Code   int
			Reason string
		}
		if err := json.Unmarshal([]byte(ev.data), &c); err != nil || c.Code != 1008 || c.Reason != "token expired" {
			t.Fatalf("close event %q (%v), want 1008 token expired", ev.data, err)
		}
		break
	}
	waitFor(t, "the close to be counted", func() bool {
		return metricLine(t, a, `ticker_connections_closed_total{code="1008"}`) == `ticker_connections_closed_total{code="1008"} 1`
	})
	if got := metricSum(t, a, `ticker_connections_closed_total{code="1006"}`); got != 0 {
		t.Fatalf("also counted as 1006: %v", got)
	}
}
