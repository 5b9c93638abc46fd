package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/codec"
)

// The edge cases of issue 13, item 7, through a real gateway: inputs that
// used to be silently altered or answered with the wrong reason.

// rawToken signs the JSON texts header and payload, exactly as written,
// with HS256 and testSecret.
func rawToken(header, payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	input := enc([]byte(header)) + "." + enc([]byte(payload))
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(input))
	return input + "." + enc(mac.Sum(nil))
}

// tokenWith signs claims with method and testSecret, with the extra header
// members of extra.
func tokenWith(t *testing.T, method jwt.SigningMethod, extra map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range extra {
		tok.Header[k] = v
	}
	s, err := tok.SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dialQuery dials with rawQuery as the URL's query, as sent.
func dialQuery(t *testing.T, a *App, rawQuery string) *client.Conn {
	t.Helper()
	c, err := client.Dial(testCtx(t), wsURL(a)+"?"+rawQuery, client.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestEdgesJWTsAreClosedWithTheRightReason(t *testing.T) {
	a := startAuthApp(t)
	hour := time.Now().Add(time.Hour).Unix()
	good := jwt.MapClaims{"sub": "u", "exp": hour, "subjects": []string{"quotes.>"}}
	payload := func(claims string) string { return fmt.Sprintf(`{"sub":"u","subjects":["quotes.>"],%s}`, claims) }
	hs256 := `{"alg":"HS256","typ":"JWT"}`
	goodTok := tokenWith(t, jwt.SigningMethodHS256, nil, good)
	tests := []struct {
		name   string
		token  string // in the Authorization header
		query  string // the raw query instead, when set
		reason string // "" means the connection is served
	}{
		{name: "a good token is served", token: goodTok},
		{name: "crit naming an unknown extension", token: tokenWith(t, jwt.SigningMethodHS256, map[string]any{"crit": []string{"x-ext"}, "x-ext": true}, good), reason: "invalid token"},
		{name: "crit naming b64", token: tokenWith(t, jwt.SigningMethodHS256, map[string]any{"crit": []string{"b64"}, "b64": false}, good), reason: "invalid token"},
		{name: "crit that is an empty list", token: tokenWith(t, jwt.SigningMethodHS256, map[string]any{"crit": []string{}}, good), reason: "invalid token"},
		{name: "crit that is a string", token: tokenWith(t, jwt.SigningMethodHS256, map[string]any{"crit": "x-ext"}, good), reason: "invalid token"},
		{name: "HS384 with a 41-byte secret", token: tokenWith(t, jwt.SigningMethodHS384, nil, good), reason: "invalid token"},
		{name: "HS512 with a 41-byte secret", token: tokenWith(t, jwt.SigningMethodHS512, nil, good), reason: "invalid token"},
		{name: "exp of 1e19", token: rawToken(hs256, payload(`"exp":1e19`)), reason: "invalid token"},
		{name: "exp beyond int64", token: rawToken(hs256, payload(`"exp":9223372036854775808`)), reason: "invalid token"},
		{name: "a negative exp", token: rawToken(hs256, payload(`"exp":-1`)), reason: "invalid token"},
		{name: "exp as a string", token: rawToken(hs256, payload(fmt.Sprintf(`"exp":"%d"`, hour))), reason: "invalid token"},
		{name: "nbf of 1e19", token: rawToken(hs256, payload(fmt.Sprintf(`"exp":%d,"nbf":1e19`, hour))), reason: "invalid token"},
		{name: "iat of 1e19", token: rawToken(hs256, payload(fmt.Sprintf(`"exp":%d,"iat":1e19`, hour))), reason: "invalid token"},
		{name: "an expired token with a malformed nbf", token: rawToken(hs256, payload(`"exp":1,"nbf":"x"`)), reason: "invalid token"},
		{name: "an expired token is expired", token: rawToken(hs256, payload(`"exp":1`)), reason: "token expired"},
		{name: "exp given twice", token: rawToken(hs256, payload(fmt.Sprintf(`"exp":1,"exp":%d`, hour))), reason: "invalid token"},
		{name: "subjects given twice", token: rawToken(hs256, fmt.Sprintf(`{"exp":%d,"subjects":["quotes.A"],"subjects":[">"]}`, hour)), reason: "invalid token"},
		{name: "alg given twice", token: rawToken(`{"alg":"HS256","alg":"HS256"}`, payload(fmt.Sprintf(`"exp":%d`, hour))), reason: "invalid token"},
		{name: "a header that is not UTF-8", token: rawToken("{\"alg\":\"HS256\",\"x\":\"\xff\"}", payload(fmt.Sprintf(`"exp":%d`, hour))), reason: "invalid token"},
		{name: "a line break inside the signature", query: "token=" + url.QueryEscape(goodTok[:len(goodTok)-8]+"\n"+goodTok[len(goodTok)-8:]), reason: "invalid token"},
		{name: "the token parameter twice", query: "token=" + goodTok + "&token=" + goodTok, reason: "invalid token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *client.Conn
			if tt.query != "" {
				c = dialQuery(t, a, tt.query)
			} else {
				c = dialToken(t, a, tt.token, false)
			}
			if tt.reason == "" {
				sub(t, c, 1, "quotes.AAPL")
				return
			}
			wantClose(t, closedWith(t, c), websocket.StatusPolicyViolation, tt.reason)
		})
	}
}

func TestEdgesTwoAuthorizationHeadersAreAnInvalidToken(t *testing.T) {
	a := startAuthApp(t)
	tok := token(t, testSecret, []string{"quotes.>"}, time.Now().Add(time.Hour))
	h := http.Header{"Authorization": {"Bearer " + tok, "Bearer " + tok}}
	c, err := client.Dial(testCtx(t), wsURL(a), client.DialOptions{Header: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	wantClose(t, closedWith(t, c), websocket.StatusPolicyViolation, "invalid token")
}

func TestEdgesStringIDsComeBackUnchangedOrAreRefused(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.OpRate = -1 })
	tests := []struct {
		name   string
		k      codec.Kind
		frame  []byte
		op     string // of the reply
		wantID any    // nil means none
	}{
		{"a lone high surrogate", codec.JSON, []byte(`{"op":"ping","id":"\ud800"}`), "error", nil},
		{"a lone low surrogate", codec.JSON, []byte(`{"op":"ping","id":"\udfff"}`), "error", nil},
		{"a high surrogate before a letter", codec.JSON, []byte(`{"op":"ping","id":"\ud83dx"}`), "error", nil},
		{"a lone surrogate on a sub", codec.JSON, []byte(`{"op":"sub","id":"a\udc00","subjects":["quotes.AAPL"]}`), "error", nil},
		{"a surrogate pair", codec.JSON, []byte(`{"op":"ping","id":"\ud83d\ude00"}`), "pong", "😀"},
		{"U+FFFD itself", codec.JSON, []byte(`{"op":"ping","id":"\ufffd"}`), "pong", "\ufffd"},
		{"an escaped backslash before u", codec.JSON, []byte(`{"op":"ping","id":"\\ud800"}`), "pong", `\ud800`},
		{"control characters and U+2028", codec.JSON, []byte(`{"op":"ping","id":"\u0000\n\u2028"}`), "pong", "\x00\n\u2028"},
		{"64 bytes once escapes are decoded", codec.JSON, []byte(`{"op":"ping","id":"` + strings.Repeat(`\u00e9`, 32) + `"}`), "pong", strings.Repeat("é", 32)},
		{"65 bytes once escapes are decoded", codec.JSON, []byte(`{"op":"ping","id":"` + strings.Repeat(`\u00e9`, 32) + `x"}`), "error", nil},
		{"negative zero", codec.JSON, []byte(`{"op":"ping","id":-0}`), "pong", 0.0},
		{"the empty string", codec.JSON, []byte(`{"op":"ping","id":""}`), "pong", ""},
		{"msgpack: not UTF-8", codec.Msgpack, mustMsgpack(t, map[string]any{"op": "ping", "id": "\xff"}), "error", nil},
		{"msgpack: a surrogate in UTF-8 form", codec.Msgpack, mustMsgpack(t, map[string]any{"op": "ping", "id": "\xed\xa0\x80"}), "error", nil},
		{"msgpack: an overlong NUL", codec.Msgpack, mustMsgpack(t, map[string]any{"op": "ping", "id": "\xc0\x80"}), "error", nil},
		{"msgpack: cut inside a character", codec.Msgpack, mustMsgpack(t, map[string]any{"op": "ping", "id": "\xf0\x9f\x98"}), "error", nil},
		{"msgpack: four-byte characters", codec.Msgpack, mustMsgpack(t, map[string]any{"op": "ping", "id": "😀é"}), "pong", "😀é"},
	}
	conns := map[codec.Kind]*client.Conn{codec.JSON: dial(t, a, codec.JSON), codec.Msgpack: dial(t, a, codec.Msgpack)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conns[tt.k]
			typ := websocket.MessageText
			if tt.k == codec.Msgpack {
				typ = websocket.MessageBinary
			}
			if err := c.WriteFrame(testCtx(t), typ == websocket.MessageBinary, tt.frame); err != nil {
				t.Fatal(err)
			}
			m := next(t, c, tt.op)
			if tt.op == "error" && m.Code != "bad_request" {
				t.Fatalf("got %+v, want bad_request", m)
			}
			if fmt.Sprint(m.ID) != fmt.Sprint(tt.wantID) || (m.ID == nil) != (tt.wantID == nil) {
				t.Fatalf("got %+v, want id %q", m, tt.wantID)
			}
			barrier(t, c, "still-usable")
		})
	}
}

func TestEdgesUnknownValuesNestOnlySoDeep(t *testing.T) {
	a := startApp(t, func(c *Config) { c.Limits.OpRate = -1 })
	nested := func(n int) []byte { // {"op":"ping","id":1,"x":[[...[1]...]]} in msgpack
		return slices.Concat([]byte{0x83, 0xa2, 'o', 'p', 0xa4, 'p', 'i', 'n', 'g', 0xa2, 'i', 'd', 0x01, 0xa1, 'x'},
			slices.Repeat([]byte{0x91}, n), []byte{0x01})
	}
	tests := []struct {
		name  string
		k     codec.Kind
		frame []byte
		op    string
	}{
		{"msgpack: 16 arrays deep", codec.Msgpack, nested(16), "pong"},
		{"msgpack: 17 arrays deep", codec.Msgpack, nested(17), "error"},
		{"JSON: 10,000 arrays deep", codec.JSON, []byte(`{"op":"ping","id":1,"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`), "pong"},
		{"JSON: 10,001 arrays deep", codec.JSON, []byte(`{"op":"ping","id":1,"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`), "error"},
		{"JSON: a byte order mark", codec.JSON, []byte("\ufeff{\"op\":\"ping\",\"id\":1}"), "error"},
	}
	conns := map[codec.Kind]*client.Conn{codec.JSON: dial(t, a, codec.JSON), codec.Msgpack: dial(t, a, codec.Msgpack)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conns[tt.k]
			typ := websocket.MessageText
			if tt.k == codec.Msgpack {
				typ = websocket.MessageBinary
			}
			if err := c.WriteFrame(testCtx(t), typ == websocket.MessageBinary, tt.frame); err != nil {
				t.Fatal(err)
			}
			m := next(t, c, tt.op)
			if tt.op == "error" && (m.Code != "bad_request" || m.ID != nil) {
				t.Fatalf("got %+v, want bad_request without an id", m)
			}
			barrier(t, c, "still-usable")
		})
	}
}
