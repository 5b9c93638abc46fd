package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/auth"
)

func TestGrantMaxRateComesFromTheClaim(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	tests := []struct {
		name    string
		claim   any // nil: absent
		want    float64
		invalid bool
	}{
		{name: "absent is no cap", want: 0},
		{name: "an integer", claim: 5, want: 5},
		{name: "a fraction", claim: 0.5, want: 0.5},
		{name: "the highest", claim: 1000, want: 1000},
		{name: "zero", claim: 0, invalid: true},
		{name: "negative", claim: -1, invalid: true},
		{name: "above 1000", claim: 1000.5, invalid: true},
		{name: "a string", claim: "5", invalid: true},
		{name: "null", claim: jsonNull{}, invalid: true},
		{name: "a bool", claim: true, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claims(func(c jwt.MapClaims) {
				switch tt.claim.(type) {
				case nil:
				case jsonNull:
					c["max_rate"] = nil
				default:
					c["max_rate"] = tt.claim
				}
			}, "quotes.>")
			g, err := v.VerifyToken(sign(t, jwt.SigningMethodHS256, k.secret, "", c))
			if tt.invalid {
				if err == nil || auth.Reason(err) != "invalid token" {
					t.Fatalf("VerifyToken: %v (grant %+v), want invalid token", err, g)
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyToken: %v", err)
			}
			if g.MaxRate != tt.want {
				t.Errorf("MaxRate %v, want %v", g.MaxRate, tt.want)
			}
		})
	}
}

// jsonNull stands for a claim present with the value null.
type jsonNull struct{}

func TestVerifyTokenFailsAsVerifyDoes(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	expired := sign(t, jwt.SigningMethodHS256, k.secret, "", claims(func(c jwt.MapClaims) {
		c["exp"] = time.Now().Add(-time.Hour).Unix()
	}, "quotes.>"))
	if _, err := v.VerifyToken(expired); !errors.Is(err, auth.ErrTokenExpired) || auth.Reason(err) != "token expired" {
		t.Errorf("expired: %v (reason %q)", err, auth.Reason(err))
	}
	for name, raw := range map[string]string{"garbage": "a.b.c", "empty": "", "unsigned": "x"} {
		if _, err := v.VerifyToken(raw); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	g, err := v.VerifyToken(sign(t, jwt.SigningMethodHS256, k.secret, "", claims(nil, "quotes.>")))
	if err != nil || g.Expires.IsZero() {
		t.Fatalf("VerifyToken: %+v, %v", g, err)
	}
}
