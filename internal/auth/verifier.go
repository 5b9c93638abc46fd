package auth

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/golang-jwt/jwt/v5"
)

// Verifier checks the tokens of incoming requests against the configured
// keys. It is safe for concurrent use. A nil *Verifier means auth is off:
// check Enabled before calling Verify.
type Verifier struct {
	keys   keySet
	claim  string
	parser *jwt.Parser
}

// New reads the key file or JWKS file of opts and returns a Verifier. With
// neither file set auth is off: New returns nil, nil, and the nil Verifier's
// Enabled reports false. With both set, or with a key that cannot be read or
// is too weak, New returns an error naming the file.
func New(opts Options) (*Verifier, error) {
	var keys keySet
	switch {
	case opts.KeyFile != "" && opts.JWKSFile != "":
		return nil, errors.New("a key file and a JWKS file: give one")
	case opts.KeyFile != "":
		k, err := readKeyFile(opts.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("JWT key file %s: %w", opts.KeyFile, err)
		}
		keys.one = &k
	case opts.JWKSFile != "":
		byKID, err := readJWKS(opts.JWKSFile)
		if err != nil {
			return nil, fmt.Errorf("JWKS file %s: %w", opts.JWKSFile, err)
		}
		keys.byKID = byKID
	default:
		return nil, nil
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(keys.methods()),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(opts.leeway),
		jwt.WithStrictDecoding(),
	}
	if opts.Audience != "" {
		popts = append(popts, jwt.WithAudience(opts.Audience))
	}
	if opts.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(opts.Issuer))
	}
	return &Verifier{keys: keys, claim: opts.claim(), parser: jwt.NewParser(popts...)}, nil
}

// Enabled reports whether v checks tokens: false for a nil Verifier.
func (v *Verifier) Enabled() bool { return v != nil }

// Verify checks the token of r, from its "Authorization: Bearer" header or
// else its "token" query parameter: its form (the JWS compact serialization,
// a JOSE header without "crit"), its signature, its algorithm against the
// key's kind and size, "exp" (required), "nbf", "iat", and "aud" and "iss"
// when configured; then the patterns claim (see Options.Claim), each pattern
// valid by subscribe.ValidatePattern. It returns what the token grants, or an
// error whose Reason is the close reason ("missing token", "invalid token",
// or "token expired", when it wraps ErrTokenExpired), with the cause for
// logs.
//
// A token is expired only when its signature has been verified and its
// claims are well-formed: a claim of the wrong type or out of range (an
// "exp" of 1e19, a string "nbf") makes it invalid, expired or not. A
// well-formed token past its "exp" is reported expired even when another
// check (aud, iss, nbf, iat) fails too.
func (v *Verifier) Verify(r *http.Request) (Grant, error) {
	raw, err := tokenOf(r)
	if err != nil {
		return Grant{}, fmt.Errorf("%w: %w", errInvalidToken, err)
	}
	if raw == "" {
		return Grant{}, errMissingToken
	}
	return v.verify(raw)
}

// VerifyToken checks raw, a token sent in an auth op, as Verify checks the
// token of a request, with the same errors and Reasons; an empty raw is
// "missing token".
func (v *Verifier) VerifyToken(raw string) (Grant, error) {
	if raw == "" {
		return Grant{}, errMissingToken
	}
	return v.verify(raw)
}

func (v *Verifier) verify(raw string) (Grant, error) {
	if len(raw) > maxTokenLen {
		return Grant{}, fmt.Errorf("%w: longer than %d bytes", errInvalidToken, maxTokenLen)
	}
	header, _, _, err := segments(raw)
	if err == nil {
		err = checkHeader(header)
	}
	if err != nil {
		return Grant{}, fmt.Errorf("%w: %w", errInvalidToken, err)
	}
	claims := &claimSet{claim: v.claim}
	if _, err := v.parser.ParseWithClaims(raw, claims, v.keys.keyfunc); err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, errMalformed) {
			return Grant{}, fmt.Errorf("%w: %w", ErrTokenExpired, err)
		}
		return Grant{}, fmt.Errorf("%w: %w", errInvalidToken, err)
	}
	return claims.grant, nil
}
