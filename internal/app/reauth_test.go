package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// grantToken is a token granting subjects until exp.
func grantToken(t *testing.T, exp time.Time, subjects ...string) string {
	t.Helper()
	return signed(t, jwt.MapClaims{"sub": "test-user", "exp": exp.Unix(), "subjects": subjects})
}

func authOp(id int, tok string) map[string]any {
	return map[string]any{"op": "auth", "id": id, "token": tok}
}

func TestAnAuthOpWithABadTokenIsBadTokenAndChangesNothing(t *testing.T) {
	a := startAuthApp(t)
	pub := newPublisher(t, a)
	hour := time.Now().Add(time.Hour)
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			symbol := "BT" + k.String()
			c := dialAuth(t, a, k, grantToken(t, hour, "quotes.>"))
			sub(t, c, 1, "quotes."+symbol)
			for i, tc := range []struct{ token, msg string }{
				{"garbage", "invalid token"},
				{token(t, "another secret of at least thirty-two bytes", []string{">"}, hour), "invalid token"},
				{grantToken(t, time.Now().Add(-time.Minute), ">"), "token expired"},
			} {
				send(t, c, authOp(7+i, tc.token))
				m := next(t, c, "error")
				if m.Code != "bad_token" || m.Msg != tc.msg || fmt.Sprint(m.ID) != fmt.Sprint(7+i) {
					t.Fatalf("got %+v, want bad_token %q with id %d", m, tc.msg, 7+i)
				}
			}
			pub.quote(symbol, 10) // the old subscription still delivers
			if m := next(t, c, "msg"); m.Subject != "quotes."+symbol {
				t.Fatalf("got %s", m.Subject)
			}
			if err := c.Sub(testCtx(t), 20, "scores.nba.g1"); err != nil { // and the old grant still governs
				t.Fatal(err)
			}
			if m := next(t, c, "error"); m.Code != "forbidden" {
				t.Fatalf("got %+v, want forbidden", m)
			}
		})
	}
}

func TestAnAuthOpWithoutTheTokenKeyIsABadRequest(t *testing.T) {
	a := startAuthApp(t)
	c := dialAuth(t, a, codec.JSON, grantToken(t, time.Now().Add(time.Hour), "quotes.>"))
	for i, op := range []map[string]any{{"op": "auth", "id": 1}, {"op": "auth", "id": 2, "token": 5}} {
		send(t, c, op)
		if m := next(t, c, "error"); m.Code != "bad_request" || fmt.Sprint(m.ID) != fmt.Sprint(i+1) {
			t.Fatalf("got %+v, want bad_request", m)
		}
	}
}

func TestANarrowerTokenRevokesThePatternsItNoLongerGrantsThenAcks(t *testing.T) {
	a := startAuthApp(t)
	pub := newPublisher(t, a)
	hour := time.Now().Add(time.Hour)
	for _, k := range codecs {
		t.Run(k.String(), func(t *testing.T) {
			// A league and symbol of their own: the other subtest's updates
			// would come as snapshots.
			league, symbol := "rv"+k.String(), "RV"+k.String()
			c := dialAuth(t, a, k, grantToken(t, hour, "quotes.>", "scores.>"))
			other := dialAuth(t, a, k, grantToken(t, hour, "quotes.>", "scores.>")) // sees what the hub fans out
			sub(t, c, 1, "quotes."+symbol, "scores."+league+".*", "scores.nhl.*")
			sub(t, other, 1, "scores."+league+".g1")

			send(t, c, authOp(7, grantToken(t, hour, "quotes.>", "scores.nhl.>")))
			m := next(t, c, "revoked")
			if fmt.Sprint(m.ID) != "7" || m.Code != "forbidden" || m.Msg != "not granted by the new token" {
				t.Fatalf("got %+v", m)
			}
			if got := revokedSubjects(t, m.Raw, k); !slices.Equal(got, []string{"scores." + league + ".*"}) {
				t.Fatalf("revoked %q, want [scores.%s.*]", got, league)
			}
			if m := next(t, c, "ack"); fmt.Sprint(m.ID) != "7" {
				t.Fatalf("ack id %v", m.ID)
			}

			pub.score(league, "g1", 1, 0)
			next(t, other, "msg") // the hub has fanned it out
			barrier(t, c, "after-revoke")
			pub.quote(symbol, 10) // what the new token grants keeps flowing
			if m := next(t, c, "msg"); m.Subject != "quotes."+symbol {
				t.Fatalf("got %s, want quotes.%s", m.Subject, symbol)
			}
			if err := c.Sub(testCtx(t), 8, "scores."+league+".x"); err != nil {
				t.Fatal(err)
			}
			if m := next(t, c, "error"); m.Code != "forbidden" {
				t.Fatalf("got %+v, want forbidden", m)
			}
		})
	}
}

// revokedSubjects reads the subjects of a revoked message.
func revokedSubjects(t *testing.T, raw []byte, k codec.Kind) []string {
	t.Helper()
	var v struct {
		Subjects []string `json:"subjects" msgpack:"subjects"`
	}
	var err error
	if k == codec.Msgpack {
		err = msgpack.Unmarshal(raw, &v)
	} else {
		err = json.Unmarshal(raw, &v)
	}
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return v.Subjects
}

func TestATokenRefreshKeepsTheConnectionOpenPastTheOldExp(t *testing.T) {
	a := startAuthApp(t)
	pub := newPublisher(t, a)
	// exp has a resolution of seconds: this one expires within 1-2 s.
	c := dialAuth(t, a, codec.JSON, grantToken(t, time.Now().Add(2*time.Second), "quotes.>"))
	sub(t, c, 1, "quotes.REFRESH")
	send(t, c, authOp(2, grantToken(t, time.Now().Add(time.Minute), "quotes.>")))
	if m := next(t, c, "ack"); fmt.Sprint(m.ID) != "2" {
		t.Fatalf("ack id %v", m.ID)
	}
	time.Sleep(3 * time.Second) // past the old exp
	pub.quote("REFRESH", 10)
	if m := next(t, c, "msg"); m.Subject != "quotes.REFRESH" {
		t.Fatalf("got %s", m.Subject)
	}
}

func TestAnAuthOpOnAGatewayWithoutAuthIsABadRequest(t *testing.T) {
	a := startApp(t, nil)
	for _, k := range codecs {
		c := dial(t, a, k)
		send(t, c, authOp(3, "a.b.c"))
		m := next(t, c, "error")
		if m.Code != "bad_request" || m.Msg != "this gateway does not check tokens" || fmt.Sprint(m.ID) != "3" {
			t.Fatalf("%s: got %+v", k, m)
		}
	}
}
