package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// rawKey is the value of key in a message as it came off the wire; nil when
// absent. Numbers come back as float64 in both encodings.
func rawKey(t *testing.T, m client.Message, key string) any {
	t.Helper()
	var v map[string]any
	var err error
	if m.Codec == client.Msgpack {
		dec := msgpack.NewDecoder(bytes.NewReader(m.Raw))
		dec.UseLooseInterfaceDecoding(true)
		err = dec.Decode(&v)
	} else {
		err = json.Unmarshal(m.Raw, &v)
	}
	if err != nil {
		t.Fatalf("%q: %v", m.Raw, err)
	}
	switch n := v[key].(type) {
	case int64:
		return float64(n)
	case uint64:
		return float64(n)
	default:
		return n
	}
}

// send sends op as one frame in the connection's encoding.
func send(t *testing.T, c *client.Conn, op map[string]any) {
	t.Helper()
	if err := c.Send(testCtx(t), op); err != nil {
		t.Fatal(err)
	}
}

// signed is an HS256 token signed with testSecret with claims.
func signed(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dialAuth(t *testing.T, a *App, k codec.Kind, tok string) *client.Conn {
	t.Helper()
	c, err := client.Dial(testCtx(t), wsURL(a), client.DialOptions{Codec: wire(k), Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestABadMaxRateIsABadRequestAndTheSubHasNoEffect(t *testing.T) {
	a := startApp(t, nil)
	pub := newPublisher(t, a)
	pub.quote("RATE", 10) // a snapshot a sub that took effect would get
	bad := []any{"2", -1, 1000.5, 1e9, true, []int{2}, map[string]int{"x": 1}}
	for _, k := range codecs {
		values := bad
		if k == codec.Msgpack {
			values = append(values, math.NaN(), math.Inf(1), math.Inf(-1), nil)
		}
		for _, v := range values {
			t.Run(fmt.Sprintf("%s/%v", k, v), func(t *testing.T) {
				c := dial(t, a, k)
				send(t, c, map[string]any{"op": "sub", "id": 4, "subjects": []string{"quotes.RATE"}, "max_rate": v})
				m := next(t, c, "error")
				if m.Code != "bad_request" || !strings.Contains(m.Msg, "max_rate") || fmt.Sprint(m.ID) != "4" {
					t.Fatalf("got %+v, want bad_request naming max_rate with id 4", m)
				}
				barrier(t, c, "after") // no ack, no snapshot
			})
		}
	}
	t.Run("json null", func(t *testing.T) {
		c := dial(t, a, codec.JSON)
		if err := c.WriteFrame(testCtx(t), false, []byte(`{"op":"sub","id":4,"subjects":["quotes.RATE"],"max_rate":null}`)); err != nil {
			t.Fatal(err)
		}
		if m := next(t, c, "error"); m.Code != "bad_request" || !strings.Contains(m.Msg, "max_rate") {
			t.Fatalf("got %+v", m)
		}
		barrier(t, c, "after")
	})
}

// ackRate subscribes with max_rate asked (nil: none) and returns the
// max_rate of the ack, 0 when the ack has none.
func ackRate(t *testing.T, c *client.Conn, id int, subject string, asked any) float64 {
	t.Helper()
	op := map[string]any{"op": "sub", "id": id, "subjects": []string{subject}}
	if asked != nil {
		op["max_rate"] = asked
	}
	send(t, c, op)
	m := next(t, c, "ack")
	if fmt.Sprint(m.ID) != fmt.Sprint(id) {
		t.Fatalf("ack id %v, want %d", m.ID, id)
	}
	r, _ := rawKey(t, m, "max_rate").(float64)
	return r
}

func TestTheAckOfASubCarriesTheEffectiveMaxRate(t *testing.T) {
	t.Run("flag cap", func(t *testing.T) {
		a := startApp(t, func(c *Config) { c.MaxRate = 5 })
		for _, k := range codecs {
			c := dial(t, a, k)
			for i, tc := range []struct {
				asked any
				want  float64
			}{{nil, 5}, {0, 5}, {2, 2}, {0.5, 0.5}, {9, 5}, {1000, 5}} {
				if got := ackRate(t, c, i+1, fmt.Sprintf("quotes.F%d", i), tc.asked); got != tc.want {
					t.Errorf("%s: asked %v: ack max_rate %v, want %v", k, tc.asked, got, tc.want)
				}
			}
		}
	})
	t.Run("no cap", func(t *testing.T) {
		a := startApp(t, nil)
		c := dial(t, a, codec.JSON)
		if got := ackRate(t, c, 1, "quotes.N", nil); got != 0 {
			t.Errorf("unlimited sub acked with max_rate %v", got)
		}
	})
	t.Run("claim cap under the flag's", func(t *testing.T) {
		a := startAuthApp(t)
		tok := signed(t, jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix(), "subjects": []string{"quotes.>"}, "max_rate": 3})
		for _, k := range codecs {
			c := dialAuth(t, a, k, tok)
			for i, tc := range []struct {
				asked any
				want  float64
			}{{nil, 3}, {1, 1}, {4, 3}} {
				if got := ackRate(t, c, i+1, fmt.Sprintf("quotes.C%d", i), tc.asked); got != tc.want {
					t.Errorf("%s: asked %v: ack max_rate %v, want %v", k, tc.asked, got, tc.want)
				}
			}
		}
	})
}

func TestAJWTWithABadMaxRateClaimIsInvalid(t *testing.T) {
	a := startAuthApp(t)
	tok := signed(t, jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix(), "subjects": []string{"quotes.>"}, "max_rate": "fast"})
	c := dialToken(t, a, tok, false)
	wantClose(t, closedWith(t, c), websocket.StatusPolicyViolation, "invalid token")
}
