package auth_test

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/auth"
)

// testKeys are the keys the tests sign with, generated once: an RSA key takes
// a while.
type testKeys struct {
	secret   []byte // HMAC, 43 bytes
	rsa      *rsa.PrivateKey
	otherRSA *rsa.PrivateKey
	ed       ed25519.PrivateKey
}

var keysOnce = sync.OnceValue(func() testKeys {
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return testKeys{secret: []byte(rand.Text() + "-32-bytes-or-more"), rsa: gen(), otherRSA: gen(), ed: ed}
})

func keys(t testing.TB) testKeys {
	t.Helper()
	return keysOnce()
}

// writeFile writes data to a file name in a temporary directory of t.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// publicPEM is pub as a PEM PUBLIC KEY block.
func publicPEM(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// jwksOf is a JSON Web Key Set of the test keys: "h1" the secret, "r1" the
// RSA key, "e1" the Ed25519 key.
func jwksOf(t testing.TB, k testKeys) []byte {
	t.Helper()
	set := map[string][]map[string]string{"keys": {
		{"kty": "oct", "kid": "h1", "k": b64(k.secret)},
		{"kty": "RSA", "kid": "r1", "use": "sig", "n": b64(k.rsa.N.Bytes()), "e": b64(big.NewInt(int64(k.rsa.E)).Bytes())},
		{"kty": "OKP", "kid": "e1", "crv": "Ed25519", "x": b64(k.ed.Public().(ed25519.PublicKey))},
	}}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newVerifier is auth.New(opts), failing t on an error.
func newVerifier(t testing.TB, opts auth.Options) *auth.Verifier {
	t.Helper()
	v, err := auth.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// claims are valid claims granting patterns, changed by edit.
func claims(edit func(jwt.MapClaims), patterns ...string) jwt.MapClaims {
	now := time.Now()
	if patterns == nil {
		patterns = []string{} // [], not null
	}
	c := jwt.MapClaims{
		"sub":      "alice",
		"iat":      now.Unix(),
		"exp":      now.Add(time.Hour).Unix(),
		"subjects": patterns,
	}
	if edit != nil {
		edit(c)
	}
	return c
}

// sign returns c signed with key by method, with kid in the header if set.
func sign(t testing.TB, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// request is an upgrade request carrying header as its Authorization and
// query as its token parameter, each if set.
func request(header, query string) *http.Request {
	target := "/ws"
	if query != "" {
		target += "?token=" + url.QueryEscape(query)
	}
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	return r
}

// b64 is base64url without padding, as JWK uses it.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// selfSigned returns a DER certificate for key.
func selfSigned(t testing.TB, key *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// signRaw returns a token of the JSON texts header and payload, exactly as
// given, signed with HS256 and secret: for inputs the JWT library would not
// write, such as a member given twice.
func signRaw(secret []byte, header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + b64(mac.Sum(nil))
}

// signHeader returns c signed with HS256 and secret, with the extra header
// members of extra.
func signHeader(t testing.TB, secret []byte, extra map[string]any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	for k, v := range extra {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkVerify checks that Verify of r fails with want, or succeeds when want
// is nil.
func checkVerify(t *testing.T, v *auth.Verifier, r *http.Request, want error) {
	t.Helper()
	_, err := v.Verify(r)
	switch {
	case want == nil && err != nil:
		t.Fatalf("Verify: %v, want success", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("Verify: %v, want %v", err, want)
	case want != nil && auth.Reason(err) != want.Error():
		t.Fatalf("Reason %q, want %q", auth.Reason(err), want.Error())
	}
	if err != nil {
		t.Log(err)
	}
}
