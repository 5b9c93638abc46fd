package auth_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/auth"
)

func TestVerifyRefusesAHeaderWithCrit(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	ok := claims(nil, "quotes.>")
	expired := claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, "quotes.>")
	tests := []struct {
		name   string
		extra  map[string]any
		claims jwt.MapClaims
		want   error
	}{
		{"no crit is accepted", nil, ok, nil},
		{"an unknown extension is invalid", map[string]any{"crit": []string{"x-ext"}, "x-ext": 1}, ok, auth.ErrInvalidToken},
		{"b64 (RFC 7797) is invalid", map[string]any{"crit": []string{"b64"}, "b64": false}, ok, auth.ErrInvalidToken},
		{"a name the header lacks is invalid", map[string]any{"crit": []string{"x-ext"}}, ok, auth.ErrInvalidToken},
		{"an empty list is invalid", map[string]any{"crit": []string{}}, ok, auth.ErrInvalidToken},
		{"a string is invalid", map[string]any{"crit": "x-ext", "x-ext": 1}, ok, auth.ErrInvalidToken},
		{"null is invalid", map[string]any{"crit": nil}, ok, auth.ErrInvalidToken},
		{"a number in the list is invalid", map[string]any{"crit": []any{1}}, ok, auth.ErrInvalidToken},
		{"an empty name is invalid", map[string]any{"crit": []string{""}}, ok, auth.ErrInvalidToken},
		{"crit on an expired token is invalid, not expired", map[string]any{"crit": []string{"x-ext"}, "x-ext": 1}, expired, auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkVerify(t, v, request("Bearer "+signHeader(t, k.secret, tt.extra, tt.claims), ""), tt.want)
		})
	}
}

func TestVerifyRefusesTokensThatCouldBeReadTwoWays(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	exp := time.Now().Add(time.Hour).Unix()
	header := `{"alg":"HS256","typ":"JWT"}`
	payload := fmt.Sprintf(`{"exp":%d,"subjects":["quotes.>"]}`, exp)
	good := signRaw(k.secret, header, payload)
	sig := good[strings.LastIndexByte(good, '.')+1:]
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"the token as written is accepted", good, nil},
		{"a header member given twice", signRaw(k.secret, `{"alg":"HS256","typ":"JWT","alg":"HS256"}`, payload), auth.ErrInvalidToken},
		{"a kid given twice", signRaw(k.secret, `{"alg":"HS256","kid":"a","kid":"b"}`, payload), auth.ErrInvalidToken},
		{"a claim given twice", signRaw(k.secret, header, fmt.Sprintf(`{"exp":%d,"subjects":["quotes.AAPL"],"subjects":[">"]}`, exp)), auth.ErrInvalidToken},
		{"exp given twice", signRaw(k.secret, header, fmt.Sprintf(`{"exp":1,"subjects":[],"exp":%d}`, exp)), auth.ErrInvalidToken},
		{"a header that is not UTF-8", signRaw(k.secret, "{\"alg\":\"HS256\",\"x\":\"\xff\"}", payload), auth.ErrInvalidToken},
		{"claims that are not UTF-8", signRaw(k.secret, header, fmt.Sprintf("{\"exp\":%d,\"sub\":\"\xff\",\"subjects\":[]}", exp)), auth.ErrInvalidToken},
		{"a header that is not an object", signRaw(k.secret, `["HS256"]`, payload), auth.ErrInvalidToken},
		{"data after the header object", signRaw(k.secret, header+` {}`, payload), auth.ErrInvalidToken},
		{"a newline inside the signature", strings.Replace(good, sig, sig[:10]+"\n"+sig[10:], 1), auth.ErrInvalidToken},
		{"a CR inside the payload", strings.Replace(good, ".", ".\r", 1), auth.ErrInvalidToken},
		{"base64 padding", good + "=", auth.ErrInvalidToken},
		{"standard base64 instead of base64url", strings.NewReplacer("-", "+", "_", "/").Replace(good), auth.ErrInvalidToken},
		{"non-zero padding bits in the signature", good[:len(good)-1] + string(flipLowBit(good[len(good)-1])), auth.ErrInvalidToken},
		{"four segments", good + ".x", auth.ErrInvalidToken},
		{"two segments", good[:strings.LastIndexByte(good, '.')], auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkVerify(t, v, request("Bearer "+tt.token, ""), tt.want)
		})
	}
}

// flipLowBit returns the base64url digit whose value differs from c's in the
// lowest bit: for HS256's 32-byte signature that bit is padding.
func flipLowBit(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return alphabet[strings.IndexByte(alphabet, c)^1]
}

func TestVerifyRefusesATokenGivenTwice(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	tok := sign(t, jwt.SigningMethodHS256, k.secret, "", claims(nil, "quotes.>"))
	twoHeaders := request("Bearer "+tok, "")
	twoHeaders.Header.Add("Authorization", "Bearer "+tok)
	twoParams := request("", tok)
	twoParams.URL.RawQuery += "&token=" + tok
	tests := []struct {
		name string
		r    *http.Request
		want error
	}{
		{"once in the header is accepted", request("Bearer "+tok, ""), nil},
		{"in the header and the query, the header counts", request("Bearer "+tok, "garbage"), nil},
		{"two Authorization headers are invalid", twoHeaders, auth.ErrInvalidToken},
		{"two token parameters are invalid", twoParams, auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkVerify(t, v, tt.r, tt.want) })
	}
}
