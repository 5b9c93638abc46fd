package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxNumericDate is the latest "exp", "nbf" or "iat" a token may carry:
// 9999-12-31T23:59:59Z, the last second RFC 3339 can write. Beyond it a date
// is nonsense, and beyond int64 seconds the JWT library's own conversion
// wraps around to a date long past, which would make such an "exp" look
// expired rather than malformed.
const maxNumericDate = 253402300799

// errMalformed marks a claim of the wrong type or out of range. A token with
// one is invalid, even when it is expired too.
var errMalformed = errors.New("malformed claim")

// claimSet is a token's claims as the Verifier reads them: decoded by
// decodeObject (numbers exact, no duplicate names), with strict NumericDates,
// and checked for the patterns claim by Validate, which the JWT library calls
// once the signature is verified.
type claimSet struct {
	m     map[string]any
	claim string // the patterns claim, see Options.Claim
	grant Grant  // set by Validate
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *claimSet) UnmarshalJSON(data []byte) error {
	m, err := decodeObject(data)
	if err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	c.m = m
	return nil
}

// GetExpirationTime implements jwt.Claims.
func (c *claimSet) GetExpirationTime() (*jwt.NumericDate, error) { return c.numericDate("exp") }

// GetNotBefore implements jwt.Claims.
func (c *claimSet) GetNotBefore() (*jwt.NumericDate, error) { return c.numericDate("nbf") }

// GetIssuedAt implements jwt.Claims.
func (c *claimSet) GetIssuedAt() (*jwt.NumericDate, error) { return c.numericDate("iat") }

// GetAudience implements jwt.Claims.
func (c *claimSet) GetAudience() (jwt.ClaimStrings, error) { return jwt.MapClaims(c.m).GetAudience() }

// GetIssuer implements jwt.Claims.
func (c *claimSet) GetIssuer() (string, error) { return jwt.MapClaims(c.m).GetIssuer() }

// GetSubject implements jwt.Claims.
func (c *claimSet) GetSubject() (string, error) { return jwt.MapClaims(c.m).GetSubject() }

// Validate implements jwt.ClaimsValidator: it reads the grant.
func (c *claimSet) Validate() error {
	g, err := grantOf(c, c.claim)
	if err != nil {
		return fmt.Errorf("%w: %w", errMalformed, err)
	}
	c.grant = g
	return nil
}

// numericDate reads a NumericDate claim (RFC 7519 §2): seconds since the
// epoch, possibly with a fraction, from 0 to maxNumericDate. Absent is nil;
// anything else (a string, null, a negative number, 1e19) wraps errMalformed.
func (c *claimSet) numericDate(name string) (*jwt.NumericDate, error) {
	v, ok := c.m[name]
	if !ok {
		return nil, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, fmt.Errorf("%w %q: not a number", errMalformed, name)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return nil, fmt.Errorf("%w %q: %.32s is not a date from 1970 to 9999", errMalformed, name, n)
	}
	sec, frac := math.Modf(f)
	return jwt.NewNumericDate(time.Unix(int64(sec), int64(frac*1e9))), nil
}
