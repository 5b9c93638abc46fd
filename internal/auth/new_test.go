package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ticker-dev/ticker/internal/auth"
)

func TestNewWithoutKeysIsOff(t *testing.T) {
	v, err := auth.New(auth.Options{Claim: "x", Audience: "y"})
	if v != nil || err != nil {
		t.Fatalf("New: %v, %v; want nil, nil", v, err)
	}
	if v.Enabled() {
		t.Error("a nil Verifier is enabled")
	}
}

func TestNewRefusesBadKeys(t *testing.T) {
	k := keys(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k.ed)
	if err != nil {
		t.Fatal(err)
	}
	jwks := func(keys string) auth.Options {
		return auth.Options{JWKSFile: writeFile(t, "jwks.json", []byte(`{"keys":[`+keys+`]}`))}
	}
	const secret32 = `"k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"`
	tests := []struct {
		name string
		opts auth.Options
		want string // in the error
	}{
		{"both a key file and a JWKS file", auth.Options{KeyFile: "a", JWKSFile: "b"}, "give one"},
		{"a key file that is not there", auth.Options{KeyFile: filepath.Join(t.TempDir(), "none")}, "no such file"},
		{"a JWKS file that is not there", auth.Options{JWKSFile: filepath.Join(t.TempDir(), "none")}, "no such file"},
		{"a secret of 31 bytes", auth.Options{KeyFile: writeFile(t, "s", []byte(strings.Repeat("s", 31)+"\n"))}, "too short"},
		{"an empty secret", auth.Options{KeyFile: writeFile(t, "s", nil)}, "too short"},
		{"a private key", auth.Options{KeyFile: writeFile(t, "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))}, "public key only"},
		{"an ECDSA key", auth.Options{KeyFile: writeFile(t, "ec.pem", publicPEM(t, ec.Public()))}, "unsupported key type"},
		{"an RSA key of 1024 bits", auth.Options{KeyFile: writeFile(t, "rsa.pem", publicPEM(t, small.Public()))}, "too short"},
		{"a broken PEM", auth.Options{KeyFile: writeFile(t, "b.pem", []byte("-----BEGIN PUBLIC KEY-----\nnope\n"))}, "malformed PEM"},
		{"a PEM of another kind", auth.Options{KeyFile: writeFile(t, "p.pem", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{1}}))}, "want PUBLIC KEY"},
		{"a JWKS that is not JSON", jwks(`nope`), "not a JSON Web Key Set"},
		{"a JWKS key without kid", jwks(`{"kty":"oct",` + secret32 + `}`), "no kid"},
		{"a JWKS kid twice", jwks(`{"kty":"oct","kid":"a",` + secret32 + `},{"kty":"oct","kid":"a",` + secret32 + `}`), "twice"},
		{"a JWKS of encryption keys only", jwks(`{"kty":"oct","kid":"a","use":"enc",` + secret32 + `}`), "no signature keys"},
		{"a JWKS with a short oct key", jwks(`{"kty":"oct","kid":"a","k":"c2hvcnQ"}`), "too short"},
		{"a JWKS key whose alg does not fit it", jwks(`{"kty":"oct","kid":"a","alg":"RS256",` + secret32 + `}`), "does not fit"},
		{"a JWKS EC key", jwks(`{"kty":"EC","kid":"a","crv":"P-256","x":"` + b64(ec.X.FillBytes(make([]byte, 32))) + `","y":"` + b64(ec.Y.FillBytes(make([]byte, 32))) + `"}`), "unsupported key type"},
		{"an empty JWKS", jwks(``), "no signature keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := auth.New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, %v; want an error with %q", v, err, tt.want)
			}
			t.Log(err)
		})
	}
}

func TestNewTrimsOneNewlineOffTheSecret(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	for _, file := range []string{string(secret), string(secret) + "\n", string(secret) + "\r\n"} {
		v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "secret", []byte(file))})
		if _, err := v.Verify(request("Bearer "+sign(t, jwt.SigningMethodHS256, secret, "", claims(nil)), "")); err != nil {
			t.Errorf("secret file %q: %v", file, err)
		}
	}
}

func TestNewTakesOtherPEMForms(t *testing.T) {
	k := keys(t)
	for name, block := range map[string]*pem.Block{
		"RSA PUBLIC KEY": {Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)},
		"CERTIFICATE":    {Type: "CERTIFICATE", Bytes: selfSigned(t, k.rsa)},
	} {
		v := newVerifier(t, auth.Options{KeyFile: writeFile(t, "key.pem", pem.EncodeToMemory(block))})
		if _, err := v.Verify(request("Bearer "+sign(t, jwt.SigningMethodRS256, k.rsa, "", claims(nil)), "")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestJWKSKeyAlgIsTheOnlyOneItVerifies(t *testing.T) {
	k := keys(t)
	set := strings.Replace(string(jwksOf(t, k)), `"kid":"r1"`, `"kid":"r1","alg":"RS512"`, 1)
	v := newVerifier(t, auth.Options{JWKSFile: writeFile(t, "jwks.json", []byte(set))})
	if _, err := v.Verify(request("Bearer "+sign(t, jwt.SigningMethodRS512, k.rsa, "r1", claims(nil)), "")); err != nil {
		t.Errorf("RS512: %v", err)
	}
	if _, err := v.Verify(request("Bearer "+sign(t, jwt.SigningMethodRS256, k.rsa, "r1", claims(nil)), "")); err == nil {
		t.Error("RS256 accepted for a key of alg RS512")
	}
}
