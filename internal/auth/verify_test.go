package auth_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/auth"
)

// verifiers are one Verifier per way of giving keys, and one with every
// optional check.
type verifiers struct {
	hs, rs, ed, jwks, strict *auth.Verifier
}

func newVerifiers(t *testing.T, k testKeys) verifiers {
	secret := writeFile(t, "secret", k.secret)
	return verifiers{
		hs:   newVerifier(t, auth.Options{KeyFile: secret}),
		rs:   newVerifier(t, auth.Options{KeyFile: writeFile(t, "rsa.pem", publicPEM(t, k.rsa.Public()))}),
		ed:   newVerifier(t, auth.Options{KeyFile: writeFile(t, "ed.pem", publicPEM(t, k.ed.Public()))}),
		jwks: newVerifier(t, auth.Options{JWKSFile: writeFile(t, "jwks.json", jwksOf(t, k))}),
		strict: newVerifier(t, auth.WithLeeway(auth.Options{KeyFile: secret, Audience: "ticker", Issuer: "https://id.test",
			Claim: "ticker/subjects"}, time.Minute)),
	}
}

func TestVerify(t *testing.T) {
	k := keys(t)
	v := newVerifiers(t, k)
	rsaPub := publicPEM(t, k.rsa.Public())
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, k.secret, "", c) }
	ok := claims(nil, "quotes.AAPL", "scores.nba.*")
	set := func(key string, val any) func(jwt.MapClaims) {
		return func(c jwt.MapClaims) { c[key] = val }
	}
	drop := func(key string) func(jwt.MapClaims) { return func(c jwt.MapClaims) { delete(c, key) } }
	strictClaims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := claims(func(c jwt.MapClaims) {
			c["aud"], c["iss"], c["ticker/subjects"] = []string{"other", "ticker"}, "https://id.test", []string{"quotes.>"}
			delete(c, "subjects")
		})
		if edit != nil {
			edit(c)
		}
		return c
	}
	none := func(c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name    string
		v       *auth.Verifier
		header  string // Authorization
		query   string // token parameter
		want    error  // nil: accepted
		granted []string
	}{
		{name: "HS256 in the header is accepted", v: v.hs, header: "Bearer " + hs(ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "HS256 in the query is accepted", v: v.hs, query: hs(ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "bearer scheme is case-insensitive", v: v.hs, header: "bearer " + hs(ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "HS512 with a secret under 64 bytes is refused", v: v.hs, header: "Bearer " + sign(t, jwt.SigningMethodHS512, k.secret, "", ok), want: auth.ErrInvalidToken},
		{name: "RS256 is accepted", v: v.rs, header: "Bearer " + sign(t, jwt.SigningMethodRS256, k.rsa, "", ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "EdDSA is accepted", v: v.ed, header: "Bearer " + sign(t, jwt.SigningMethodEdDSA, k.ed, "", ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "JWKS oct key by kid", v: v.jwks, header: "Bearer " + sign(t, jwt.SigningMethodHS256, k.secret, "h1", ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "JWKS RSA key by kid", v: v.jwks, header: "Bearer " + sign(t, jwt.SigningMethodRS256, k.rsa, "r1", ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "JWKS Ed25519 key by kid", v: v.jwks, query: sign(t, jwt.SigningMethodEdDSA, k.ed, "e1", ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "the header wins over the query", v: v.hs, header: "Bearer " + hs(ok), query: "garbage", granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "a non-bearer header falls back to the query", v: v.hs, header: "Basic dTpw", query: hs(ok), granted: []string{"quotes.AAPL", "scores.nba.*"}},
		{name: "an empty list grants nothing", v: v.hs, header: "Bearer " + hs(claims(nil)), granted: []string{}},
		{name: "audience, issuer and claim name as configured", v: v.strict, header: "Bearer " + hs(strictClaims(nil)), granted: []string{"quotes.>"}},
		{name: "expired within the leeway is accepted", v: v.strict, header: "Bearer " + hs(strictClaims(set("exp", time.Now().Add(-30*time.Second).Unix()))), granted: []string{"quotes.>"}},

		{name: "no token is missing", v: v.hs, want: auth.ErrMissingToken},
		{name: "an empty bearer is missing", v: v.hs, header: "Bearer ", want: auth.ErrMissingToken},
		{name: "a non-bearer header alone is missing", v: v.hs, header: "Basic dTpw", want: auth.ErrMissingToken},
		{name: "garbage is invalid", v: v.hs, header: "Bearer abc", want: auth.ErrInvalidToken},
		{name: "a token too long is invalid", v: v.hs, header: "Bearer " + hs(claims(set("pad", strings.Repeat("x", auth.MaxTokenLen)))), want: auth.ErrInvalidToken},
		{name: "another secret's signature is invalid", v: v.hs, header: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), "", ok), want: auth.ErrInvalidToken},
		{name: "another RSA key's signature is invalid", v: v.rs, header: "Bearer " + sign(t, jwt.SigningMethodRS256, k.otherRSA, "", ok), want: auth.ErrInvalidToken},
		{name: "a changed payload is invalid", v: v.hs, header: "Bearer " + tamper(t, hs(ok)), want: auth.ErrInvalidToken},
		{name: "HS256 keyed with the RSA public key is refused", v: v.rs, header: "Bearer " + sign(t, jwt.SigningMethodHS256, rsaPub, "", ok), want: auth.ErrInvalidToken},
		{name: "HS256 on a JWKS RSA kid is refused", v: v.jwks, header: "Bearer " + sign(t, jwt.SigningMethodHS256, rsaPub, "r1", ok), want: auth.ErrInvalidToken},
		{name: "RS256 for an HMAC key is refused", v: v.hs, header: "Bearer " + sign(t, jwt.SigningMethodRS256, k.rsa, "", ok), want: auth.ErrInvalidToken},
		{name: "PS256 for an RSA key is refused", v: v.rs, header: "Bearer " + sign(t, jwt.SigningMethodPS256, k.rsa, "", ok), want: auth.ErrInvalidToken},
		{name: "EdDSA for an RSA key is refused", v: v.rs, header: "Bearer " + sign(t, jwt.SigningMethodEdDSA, k.ed, "", ok), want: auth.ErrInvalidToken},
		{name: "alg none is refused (HMAC key)", v: v.hs, header: "Bearer " + none(ok), want: auth.ErrInvalidToken},
		{name: "alg none is refused (RSA key)", v: v.rs, header: "Bearer " + none(ok), want: auth.ErrInvalidToken},
		{name: "alg none is refused (JWKS)", v: v.jwks, header: "Bearer " + none(ok), want: auth.ErrInvalidToken},
		{name: "expired", v: v.hs, header: "Bearer " + hs(claims(set("exp", time.Now().Add(-time.Second).Unix()), "quotes.>")), want: auth.ErrTokenExpired},
		{name: "expired beyond the leeway", v: v.strict, header: "Bearer " + hs(strictClaims(set("exp", time.Now().Add(-2*time.Minute).Unix()))), want: auth.ErrTokenExpired},
		{name: "no exp is invalid", v: v.hs, header: "Bearer " + hs(claims(drop("exp"), "quotes.>")), want: auth.ErrInvalidToken},
		{name: "exp of the wrong type is invalid", v: v.hs, header: "Bearer " + hs(claims(set("exp", "tomorrow"), "quotes.>")), want: auth.ErrInvalidToken},
		{name: "not yet valid", v: v.hs, header: "Bearer " + hs(claims(set("nbf", time.Now().Add(time.Hour).Unix()), "quotes.>")), want: auth.ErrInvalidToken},
		{name: "issued in the future", v: v.hs, header: "Bearer " + hs(claims(set("iat", time.Now().Add(time.Hour).Unix()), "quotes.>")), want: auth.ErrInvalidToken},
		{name: "wrong audience", v: v.strict, header: "Bearer " + hs(strictClaims(set("aud", "other"))), want: auth.ErrInvalidToken},
		{name: "no audience when one is required", v: v.strict, header: "Bearer " + hs(strictClaims(drop("aud"))), want: auth.ErrInvalidToken},
		{name: "wrong issuer", v: v.strict, header: "Bearer " + hs(strictClaims(set("iss", "https://evil.test"))), want: auth.ErrInvalidToken},
		{name: "no issuer when one is required", v: v.strict, header: "Bearer " + hs(strictClaims(drop("iss"))), want: auth.ErrInvalidToken},
		{name: "patterns under another claim name are missing", v: v.strict, header: "Bearer " + hs(claims(func(c jwt.MapClaims) { c["aud"], c["iss"] = "ticker", "https://id.test" }, "quotes.>")), want: auth.ErrInvalidToken},
		{name: "no patterns claim", v: v.hs, header: "Bearer " + hs(claims(drop("subjects"))), want: auth.ErrInvalidToken},
		{name: "patterns as a string", v: v.hs, header: "Bearer " + hs(claims(set("subjects", "quotes.>"))), want: auth.ErrInvalidToken},
		{name: "patterns as null", v: v.hs, header: "Bearer " + hs(claims(set("subjects", nil))), want: auth.ErrInvalidToken},
		{name: "a pattern that is not a string", v: v.hs, header: "Bearer " + hs(claims(set("subjects", []any{"quotes.>", 7}))), want: auth.ErrInvalidToken},
		{name: "an invalid pattern", v: v.hs, header: "Bearer " + hs(claims(nil, "quotes.>", "quotes..AAPL")), want: auth.ErrInvalidToken},
		{name: "a '>' that is not last", v: v.hs, header: "Bearer " + hs(claims(nil, ">.AAPL")), want: auth.ErrInvalidToken},
		{name: "too many patterns", v: v.hs, header: "Bearer " + hs(claims(nil, slices.Repeat([]string{"quotes.>"}, auth.MaxPatterns+1)...)), want: auth.ErrInvalidToken},
		{name: "JWKS unknown kid", v: v.jwks, header: "Bearer " + sign(t, jwt.SigningMethodHS256, k.secret, "h2", ok), want: auth.ErrInvalidToken},
		{name: "JWKS no kid", v: v.jwks, header: "Bearer " + sign(t, jwt.SigningMethodHS256, k.secret, "", ok), want: auth.ErrInvalidToken},
		{name: "JWKS key of another kid", v: v.jwks, header: "Bearer " + sign(t, jwt.SigningMethodEdDSA, k.ed, "r1", ok), want: auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := tt.v.Verify(request(tt.header, tt.query))
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("Verify: %v, want %v", err, tt.want)
				}
				t.Log(err)
				if r := auth.Reason(err); r != tt.want.Error() || len(r) > 123 {
					t.Errorf("Reason %q, want %q", r, tt.want.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !slices.Equal(g.Patterns(), tt.granted) || g.Subject() != "alice" {
				t.Errorf("grant %+v, want patterns %q for alice", g, tt.granted)
			}
			if d := time.Until(g.Expires); d < -time.Minute || d > time.Hour {
				t.Errorf("expires in %v", d)
			}
		})
	}
}

// tamper changes the payload of a signed token: it now grants ">".
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	forged := strings.Split(sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), "", claims(nil, ">")), ".")
	return parts[0] + "." + forged[1] + "." + parts[2]
}

func TestVerifyExpiresAtTheTokensExp(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", k.secret)})
	exp := time.Now().Add(90 * time.Second).Truncate(time.Second)
	g, err := v.Verify(request("Bearer "+sign(t, jwt.SigningMethodHS256, k.secret, "", claims(func(c jwt.MapClaims) { c["exp"] = exp.Unix() })), ""))
	if err != nil {
		t.Fatal(err)
	}
	if !g.Expires.Equal(exp) {
		t.Errorf("Expires %v, want %v", g.Expires, exp)
	}
}

func TestReasonOfOtherErrors(t *testing.T) {
	if r := auth.Reason(errors.New("boom")); r != "" {
		t.Errorf("Reason %q, want empty", r)
	}
	if r := auth.Reason(nil); r != "" {
		t.Errorf("Reason(nil) %q, want empty", r)
	}
}
