package auth

import "time"

// defaultClaim is the claim that lists the patterns a token's holder may
// subscribe to.
const defaultClaim = "subjects"

// Limits on what a client may present.
const (
	// maxTokenLen is the longest token Verify reads (8 KiB); a longer one is
	// invalid before it is decoded.
	maxTokenLen = 8 << 10
	// maxPatterns is the most patterns a token's claim may list.
	maxPatterns = 256
)

// Options configure a Verifier. Exactly one of KeyFile and JWKSFile names the
// keys (neither turns auth off); the rest is usable at its zero value.
type Options struct {
	// KeyFile is a PEM file holding an RSA public key (tokens signed with
	// RS256, RS384 or RS512) or an Ed25519 public key (EdDSA), as a PUBLIC
	// KEY, RSA PUBLIC KEY or CERTIFICATE block; or else a file whose bytes,
	// without one trailing newline, are an HMAC secret of at least 32 bytes.
	// A secret verifies each of HS256, HS384 and HS512 whose output is no
	// longer than the secret (RFC 7518 §3.2): HS384 needs 48 bytes, HS512 64.
	KeyFile string
	// JWKSFile is a JSON Web Key Set (RFC 7517) of RSA, Ed25519 (kty "OKP")
	// and HMAC (kty "oct") keys, each with a distinct "kid". A token names
	// its key with the "kid" header. Keys with "use":"enc" are skipped; a
	// key's "alg", when set, is the only algorithm it verifies, and must fit
	// the key (an oct key's length included).
	JWKSFile string
	// Claim is the claim that lists the patterns a token grants: a JSON
	// array of at most 256 strings, each a valid pattern ([] grants
	// nothing). A token whose claim is missing, of another type (such as a
	// space-separated string), or holds an invalid pattern is invalid.
	// Empty means "subjects".
	Claim string
	// Audience, when set, must be among the token's "aud".
	Audience string
	// Issuer, when set, must be the token's "iss".
	Issuer string
	// leeway is the clock skew allowed on "exp", "nbf" and "iat"; no flag
	// sets it, so it is 0 outside tests (see export_test.go).
	leeway time.Duration
}

func (o Options) claim() string {
	if o.Claim == "" {
		return defaultClaim
	}
	return o.Claim
}
