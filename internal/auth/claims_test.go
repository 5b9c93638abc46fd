package auth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/auth"
)

// TestVerifyTellsMalformedDatesFromExpiredOnes checks "exp", "nbf" and "iat"
// written in every way JSON allows: a date that is no NumericDate from 1970
// to 9999 makes the token invalid, never expired, and never passes.
func TestVerifyTellsMalformedDatesFromExpiredOnes(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	now := time.Now().Unix()
	hour := fmt.Sprint(now + 3600)
	ago := fmt.Sprint(now - 3600)
	tests := []struct {
		name string
		exp  string // JSON text of the claim; "" leaves it out
		nbf  string
		iat  string
		want error
	}{
		{name: "an exp in an hour is accepted", exp: hour},
		{name: "an exp with a fraction is accepted", exp: hour + ".5"},
		{name: "an exp in exponent form is accepted", exp: fmt.Sprintf("%.6e", float64(now+3600))},
		{name: "the last second of 9999 is accepted", exp: "253402300799"},
		{name: "nbf and iat an hour ago are accepted", exp: hour, nbf: ago, iat: ago},
		{name: "nbf and iat of 0 are accepted", exp: hour, nbf: "0", iat: "0"},
		{name: "an exp an hour ago is expired", exp: ago, want: auth.ErrTokenExpired},
		{name: "an exp of 0 is expired", exp: "0", want: auth.ErrTokenExpired},
		{name: "an exp of -0 is expired", exp: "-0", want: auth.ErrTokenExpired},
		{name: "an expired token with nbf in the future is expired", exp: ago, nbf: hour, want: auth.ErrTokenExpired},

		{name: "an exp of 1e19 is invalid", exp: "1e19", want: auth.ErrInvalidToken},
		{name: "an exp of the largest int64 is invalid", exp: "9223372036854775807", want: auth.ErrInvalidToken},
		{name: "an exp beyond int64 is invalid", exp: "9223372036854775808", want: auth.ErrInvalidToken},
		{name: "an exp in the year 10000 is invalid", exp: "253402300800", want: auth.ErrInvalidToken},
		{name: "an exp beyond float64 is invalid", exp: "1e400", want: auth.ErrInvalidToken},
		{name: "a negative exp is invalid", exp: "-1", want: auth.ErrInvalidToken},
		{name: "an exp of -1e19 is invalid", exp: "-1e19", want: auth.ErrInvalidToken},
		{name: "an exp as a string is invalid", exp: `"` + hour + `"`, want: auth.ErrInvalidToken},
		{name: "an exp of null is invalid", exp: "null", want: auth.ErrInvalidToken},
		{name: "an exp of true is invalid", exp: "true", want: auth.ErrInvalidToken},
		{name: "an exp as an array is invalid", exp: "[" + hour + "]", want: auth.ErrInvalidToken},
		{name: "no exp is invalid", want: auth.ErrInvalidToken},
		{name: "an nbf of 1e19 is invalid", exp: hour, nbf: "1e19", want: auth.ErrInvalidToken},
		{name: "an nbf of -1e19 is invalid", exp: hour, nbf: "-1e19", want: auth.ErrInvalidToken},
		{name: "a negative nbf is invalid", exp: hour, nbf: "-5", want: auth.ErrInvalidToken},
		{name: "an nbf as a string is invalid", exp: hour, nbf: `"now"`, want: auth.ErrInvalidToken},
		{name: "an iat of 1e19 is invalid", exp: hour, iat: "1e19", want: auth.ErrInvalidToken},
		{name: "an iat beyond int64 is invalid", exp: hour, iat: "18446744073709551616", want: auth.ErrInvalidToken},
		{name: "an iat as a string is invalid", exp: hour, iat: `"x"`, want: auth.ErrInvalidToken},
		{name: "an expired token with a malformed iat is invalid", exp: ago, iat: "1e19", want: auth.ErrInvalidToken},
		{name: "an expired token with a malformed nbf is invalid", exp: ago, nbf: `"x"`, want: auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := `{"sub":"alice","subjects":["quotes.>"]`
			for _, c := range []struct{ name, val string }{{"exp", tt.exp}, {"nbf", tt.nbf}, {"iat", tt.iat}} {
				if c.val != "" {
					payload += fmt.Sprintf(`,%q:%s`, c.name, c.val)
				}
			}
			payload += "}"
			checkVerify(t, v, request("Bearer "+signRaw(k.secret, `{"alg":"HS256","typ":"JWT"}`, payload), ""), tt.want)
		})
	}
}

func TestVerifyCallsAnExpiredTokenWithAMalformedGrantInvalid(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	ago := time.Now().Add(-time.Hour).Unix()
	for _, tt := range []struct{ name, payload string }{
		{"no patterns claim", fmt.Sprintf(`{"exp":%d}`, ago)},
		{"patterns as a string", fmt.Sprintf(`{"exp":%d,"subjects":"quotes.>"}`, ago)},
		{"an invalid pattern", fmt.Sprintf(`{"exp":%d,"subjects":["quotes..X"]}`, ago)},
		{"a sub that is not a string", fmt.Sprintf(`{"exp":%d,"sub":7,"subjects":[]}`, ago)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkVerify(t, v, request("Bearer "+signRaw(k.secret, `{"alg":"HS256"}`, tt.payload), ""), auth.ErrInvalidToken)
		})
	}
}

func TestVerifyExpiresAtAFractionalExp(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	exp := time.Now().Add(time.Hour).Unix()
	g, err := v.Verify(request("Bearer "+signRaw(k.secret, `{"alg":"HS256"}`, fmt.Sprintf(`{"exp":%d.75,"subjects":[]}`, exp)), ""))
	if err != nil {
		t.Fatal(err)
	}
	// The JWT library keeps dates to the second (jwt.TimePrecision).
	if want := time.Unix(exp, 0); !g.Expires.Equal(want) {
		t.Errorf("Expires %v, want %v", g.Expires, want)
	}
}
