package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// FuzzVerify feeds arbitrary strings to a Verifier keyed with an HMAC secret:
// as a whole token, as the claims of a token signed with the secret, and as
// the header of one. Nothing panics, an error always has a close reason, a
// token passes only if its signature is the secret's, its header has no
// "crit" and what it grants is valid, and a token is called expired only
// once its signature is verified and its dates are well-formed.
func FuzzVerify(f *testing.F) {
	secret := []byte("fuzz secret fuzz secret fuzz secret!")
	path := filepath.Join(f.TempDir(), "secret")
	if err := os.WriteFile(path, secret, 0o600); err != nil {
		f.Fatal(err)
	}
	v, err := New(Options{KeyFile: path})
	if err != nil {
		f.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).Unix()
	mint := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	good := jwt.MapClaims{"exp": exp, "sub": "a", "subjects": []string{"quotes.>"}}
	for _, seed := range []string{
		mint(jwt.SigningMethodHS256, secret, good),
		mint(jwt.SigningMethodHS512, secret, good),
		mint(jwt.SigningMethodHS256, []byte("another secret, another secret!!"), good),
		mint(jwt.SigningMethodHS256, secret, jwt.MapClaims{"exp": 1, "subjects": []string{}}),
		mint(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good),
		`{"exp":9999999999,"subjects":["quotes.>","scores.*.g1"]}`,
		`{"exp":1e300,"nbf":-1e300,"iat":"x","aud":[1],"subjects":[">"]}`,
		`{"exp":9999999999,"subjects":"quotes.>"}`,
		`{"exp":1e19,"subjects":[]}`,
		`{"exp":1,"subjects":[],"nbf":-1e19}`,
		`{"exp":9999999999,"subjects":[],"exp":1}`,
		`{"alg":"HS256","crit":["b64"],"b64":false}`,
		`{"alg":"HS256","crit":[]}`,
		`{"alg":"HS256","alg":"HS512"}`,
		"", "a.b.c", "..", "e30.e30.", "Bearer x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check(t, v, secret, s)
		header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
		input := header + "." + base64.RawURLEncoding.EncodeToString([]byte(s))
		check(t, v, secret, input+"."+hs256(secret, input))
		payload := base64.RawURLEncoding.EncodeToString([]byte(`{"exp":9999999999,"subjects":["quotes.>"]}`))
		input = base64.RawURLEncoding.EncodeToString([]byte(s)) + "." + payload
		check(t, v, secret, input+"."+hs256(secret, input))
	})
}

func hs256(secret []byte, input string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func check(t *testing.T, v *Verifier, secret []byte, token string) {
	g, err := v.verify(token)
	if err != nil {
		if r := Reason(err); r == "" || len(r) > 123 {
			t.Fatalf("error %v has close reason %q", err, r)
		}
		if errors.Is(err, ErrTokenExpired) {
			if !signedWith(token, secret) {
				t.Fatalf("token %q expired without the secret's signature", token)
			}
			checkDates(t, token)
		}
		return
	}
	if !signedWith(token, secret) {
		t.Fatalf("token %q passed without the secret's signature", token)
	}
	checkDates(t, token)
	if g.Expires.IsZero() || len(g.patterns) > maxPatterns {
		t.Fatalf("grant %+v", g)
	}
	for _, p := range g.patterns {
		if subscribe.ValidatePattern(p) != nil {
			t.Fatalf("grant of invalid pattern %q", p)
		}
	}
}

// checkDates fails t unless token's header has no "crit" and its "exp",
// "nbf" and "iat" are numbers from 0 to maxNumericDate where present ("exp"
// must be): checked here with encoding/json alone.
func checkDates(t *testing.T, token string) {
	t.Helper()
	parts := strings.Split(token, ".")
	var head, claims map[string]any
	for i, m := range []*map[string]any{&head, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("token %q: segment %d: %v", token, i, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(m); err != nil {
			t.Fatalf("token %q: segment %d: %v", token, i, err)
		}
	}
	if _, ok := head["crit"]; ok {
		t.Fatalf("token %q with crit passed its header check", token)
	}
	if _, ok := claims["exp"]; !ok {
		t.Fatalf("token %q without exp", token)
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		v, ok := claims[name]
		if !ok {
			continue
		}
		n, isNum := v.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		if !isNum || err != nil || f < 0 || f > maxNumericDate {
			t.Fatalf("token %q: %s %v taken for a date", token, name, v)
		}
	}
}

// signedWith reports whether token's header names an HMAC algorithm and its
// signature is that HMAC of its signing input with secret: checked here
// without the JWT library.
func signedWith(token string, secret []byte) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var h map[string]any // as the JWT library reads it: the last "alg" counts
	if json.Unmarshal(head, &h) != nil {
		return false
	}
	alg, _ := h["alg"].(string)
	hashes := map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}
	newHash, ok := hashes[alg]
	if !ok {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	mac := hmac.New(newHash, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	return hmac.Equal(sig, mac.Sum(nil))
}
