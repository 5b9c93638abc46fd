package auth

import (
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// Key strength a Verifier insists on.
const (
	minSecretLen = 32   // bytes of an HMAC secret: as many as HS256's output
	minRSABits   = 2048 // bits of an RSA modulus
)

// The algorithms each kind of key verifies. A token is checked only with an
// algorithm of its key's kind, so an RSA public key is never taken for an
// HMAC secret, and "none" is never accepted.
var (
	rsaAlgs     = []string{"RS256", "RS384", "RS512"}
	ed25519Algs = []string{"EdDSA"}
)

// hmacAlgs are the HMAC algorithms and the shortest secret each takes: RFC
// 7518 §3.2 requires a key at least as long as the hash's output, so a
// secret of 32 to 47 bytes verifies HS256 only, one of 48 to 63 bytes HS256
// and HS384, and one of 64 bytes or more all three.
var hmacAlgs = []struct {
	alg    string
	minLen int
}{{"HS256", 32}, {"HS384", 48}, {"HS512", 64}}

// hmacKey returns secret with the algorithms its length allows, or only alg
// when alg is set.
func hmacKey(secret []byte, alg string) (verifyKey, error) {
	if len(secret) < minSecretLen {
		return verifyKey{}, fmt.Errorf("HMAC secret of %d bytes is too short: use at least %d random bytes", len(secret), minSecretLen)
	}
	k := verifyKey{key: secret}
	for _, h := range hmacAlgs {
		switch {
		case alg != "" && alg != h.alg:
		case len(secret) >= h.minLen:
			k.algs = append(k.algs, h.alg)
		case alg != "":
			return k, fmt.Errorf("HMAC secret of %d bytes is too short for %s: use at least %d bytes", len(secret), alg, h.minLen)
		}
	}
	if len(k.algs) == 0 {
		return k, fmt.Errorf("algorithm %q does not fit an HMAC secret (want HS256, HS384 or HS512)", alg)
	}
	return k, nil
}

// verifyKey is one key and the algorithms it verifies.
type verifyKey struct {
	key  any // []byte, *rsa.PublicKey or ed25519.PublicKey
	algs []string
}

// newVerifyKey checks key and returns it with the algorithms of its kind (for
// an HMAC secret, those its length allows), or only alg when alg is set.
func newVerifyKey(key any, alg string) (verifyKey, error) {
	var k verifyKey
	switch key := key.(type) {
	case []byte:
		return hmacKey(key, alg)
	case *rsa.PublicKey:
		if key.N.BitLen() < minRSABits {
			return k, fmt.Errorf("RSA key of %d bits is too short: use at least %d", key.N.BitLen(), minRSABits)
		}
		k = verifyKey{key: key, algs: rsaAlgs}
	case ed25519.PublicKey:
		if len(key) != ed25519.PublicKeySize {
			return k, errors.New("malformed Ed25519 public key")
		}
		k = verifyKey{key: key, algs: ed25519Algs}
	default:
		return k, fmt.Errorf("unsupported key type %T: want an RSA or Ed25519 public key or an HMAC secret", key)
	}
	if alg != "" {
		if !slices.Contains(k.algs, alg) {
			return k, fmt.Errorf("algorithm %q does not fit the key (want one of %v)", alg, k.algs)
		}
		k.algs = []string{alg}
	}
	return k, nil
}

// keySet is a Verifier's keys: one key, or keys by kid.
type keySet struct {
	one   *verifyKey
	byKID map[string]verifyKey
}

// keyfunc returns the key that verifies t, when t's algorithm fits it.
func (s keySet) keyfunc(t *jwt.Token) (any, error) {
	k := s.one
	if k == nil {
		kid, ok := t.Header["kid"].(string)
		if !ok {
			return nil, errors.New("no kid in the token header")
		}
		found, ok := s.byKID[kid]
		if !ok {
			return nil, fmt.Errorf("unknown kid %.64q", kid)
		}
		k = &found
	}
	if alg := t.Method.Alg(); !slices.Contains(k.algs, alg) {
		return nil, fmt.Errorf("algorithm %.16q does not fit the key", alg)
	}
	return k.key, nil
}

// methods returns every algorithm some key of s verifies.
func (s keySet) methods() []string {
	var algs []string
	add := func(k verifyKey) {
		for _, a := range k.algs {
			if !slices.Contains(algs, a) {
				algs = append(algs, a)
			}
		}
	}
	if s.one != nil {
		add(*s.one)
	}
	for _, k := range s.byKID {
		add(k)
	}
	return algs
}
