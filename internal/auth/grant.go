package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ticker-dev/ticker/internal/subscribe"
)

// Grant is what a verified token allows its holder: see Restrict.
type Grant struct {
	// Expires is the token's "exp": the gateway closes the connection then.
	Expires time.Time
	// patterns are the subject patterns the token lists, each valid by
	// subscribe.ValidatePattern. An empty list grants nothing.
	patterns []string
	// MaxRate is the token's "max_rate" claim: the highest max_rate, in
	// updates per second per subject, the holder's subs get; 0 (the claim
	// absent) means no cap.
	MaxRate float64
	// subject is the token's "sub"; it may be empty.
	subject string
}

// maxRateClaim is the claim that caps the holder's max_rate.
const maxRateClaim = "max_rate"

// maxRateOf reads the "max_rate" claim: absent is 0; otherwise a number above
// 0 and at most subscribe.MaxRate.
func maxRateOf(claims *claimSet) (float64, error) {
	v, ok := claims.m[maxRateClaim]
	if !ok {
		return 0, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("claim %q: not a number", maxRateClaim)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || !(f > 0 && f <= subscribe.MaxRate) {
		return 0, fmt.Errorf("claim %q: %.32s is not a number above 0 and at most %d", maxRateClaim, n, subscribe.MaxRate)
	}
	return f, nil
}

// grantOf reads a Grant from claims, the patterns from the claim named
// claim: a JSON array of at most maxPatterns strings.
func grantOf(claims *claimSet, claim string) (Grant, error) {
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil { // the parser requires a valid exp as well
		return Grant{}, errors.New("no valid exp")
	}
	sub, err := claims.GetSubject()
	if err != nil {
		return Grant{}, err
	}
	v, ok := claims.m[claim]
	if !ok {
		return Grant{}, fmt.Errorf("no %.32q claim", claim)
	}
	list, ok := v.([]any)
	if !ok {
		return Grant{}, fmt.Errorf("claim %.32q: not an array of strings", claim)
	}
	if len(list) > maxPatterns {
		return Grant{}, fmt.Errorf("claim %.32q: more than %d patterns", claim, maxPatterns)
	}
	patterns := make([]string, len(list))
	for i, p := range list {
		s, ok := p.(string)
		if !ok {
			return Grant{}, fmt.Errorf("claim %.32q: not an array of strings", claim)
		}
		if err := subscribe.ValidatePattern(s); err != nil {
			return Grant{}, fmt.Errorf("claim %.32q: pattern %.64q: %w", claim, s, err)
		}
		patterns[i] = s
	}
	rate, err := maxRateOf(claims)
	if err != nil {
		return Grant{}, err
	}
	return Grant{Expires: exp.Time, patterns: patterns, MaxRate: rate, subject: sub}, nil
}

// Restrict returns the Allow that permits a pattern exactly when both server
// (the gateway's --allow) and the grant permit it: the pairwise intersections
// of their patterns. Use it as the connection's subscribe.Policy.Allow. A
// grant with no patterns permits nothing.
func (g Grant) Restrict(server subscribe.Allow) subscribe.Allow {
	var both []string
	for _, a := range server.Patterns() {
		for _, b := range g.patterns {
			m, ok := meet(a, b)
			// A meet longer than a subject may be matches no valid subject.
			if ok && subscribe.ValidatePattern(m) == nil && !slices.Contains(both, m) {
				both = append(both, m)
			}
		}
	}
	allow, err := subscribe.NewAllow(both)
	if err != nil { // cannot happen: every pattern was validated
		return subscribe.Allow{}
	}
	return allow
}
