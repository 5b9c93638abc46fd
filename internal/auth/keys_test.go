package auth_test

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/auth"
)

// TestHMACAlgorithmsFollowTheSecretsLength checks RFC 7518 §3.2: an HMAC key
// must be at least as long as the hash's output, so HS384 needs 48 bytes and
// HS512 64; RSA and Ed25519 algorithms never fit a secret.
func TestHMACAlgorithmsFollowTheSecretsLength(t *testing.T) {
	k := keys(t)
	methods := []jwt.SigningMethod{jwt.SigningMethodHS256, jwt.SigningMethodHS384, jwt.SigningMethodHS512}
	tests := []struct {
		name    string
		secret  int // bytes
		accepts []bool
	}{
		{"a secret of 32 bytes verifies HS256 only", 32, []bool{true, false, false}},
		{"a secret of 47 bytes verifies HS256 only", 47, []bool{true, false, false}},
		{"a secret of 48 bytes verifies HS256 and HS384", 48, []bool{true, true, false}},
		{"a secret of 63 bytes verifies HS256 and HS384", 63, []bool{true, true, false}},
		{"a secret of 64 bytes verifies all three", 64, []bool{true, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := []byte(strings.Repeat("s", tt.secret))
			v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", secret)})
			for i, m := range methods {
				_, err := v.Verify(request("Bearer "+sign(t, m, secret, "", claims(nil)), ""))
				if (err == nil) != tt.accepts[i] {
					t.Errorf("%s: %v, want accepted %v", m.Alg(), err, tt.accepts[i])
				}
			}
			_, err := v.Verify(request("Bearer "+sign(t, jwt.SigningMethodRS256, k.rsa, "", claims(nil)), ""))
			if err == nil {
				t.Error("RS256 accepted for an HMAC secret")
			}
		})
	}
}

func TestJWKSOctKeyAlgNeedsASecretLongEnough(t *testing.T) {
	const k32 = `"k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"` // 32 bytes
	secret64 := []byte(strings.Repeat("s", 64))
	for _, tt := range []struct {
		name, key string
		want      string // in New's error; "" is no error
	}{
		{"HS256 on 32 bytes", `{"kty":"oct","kid":"a","alg":"HS256",` + k32 + `}`, ""},
		{"HS384 on 32 bytes", `{"kty":"oct","kid":"a","alg":"HS384",` + k32 + `}`, "too short for HS384: use at least 48 bytes"},
		{"HS512 on 32 bytes", `{"kty":"oct","kid":"a","alg":"HS512",` + k32 + `}`, "too short for HS512: use at least 64 bytes"},
		{"HS512 on 64 bytes", `{"kty":"oct","kid":"a","alg":"HS512","k":"` + b64(secret64) + `"}`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.New(auth.Options{JWKSFile: writeFile(t, "jwks.json", []byte(`{"keys":[`+tt.key+`]}`))})
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("New: %v, want an error with %q", err, tt.want)
			}
		})
	}
	// A key's alg is the only one it verifies, even where its length allows more.
	v := newVerifier(t, auth.Options{JWKSFile: writeFile(t, "jwks.json",
		[]byte(`{"keys":[{"kty":"oct","kid":"a","alg":"HS384","k":"`+b64(secret64)+`"}]}`))})
	for m, want := range map[jwt.SigningMethod]bool{jwt.SigningMethodHS256: false, jwt.SigningMethodHS384: true, jwt.SigningMethodHS512: false} {
		if _, err := v.Verify(request("Bearer "+sign(t, m, secret64, "a", claims(nil)), "")); (err == nil) != want {
			t.Errorf("%s on a key of alg HS384: %v, want accepted %v", m.Alg(), err, want)
		}
	}
}
