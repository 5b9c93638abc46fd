package auth

import "time"

// What the tests outside the package need to see.

// The errors and limits behind Verify's close reasons.
var (
	ErrMissingToken = errMissingToken
	ErrInvalidToken = errInvalidToken
)

const (
	MaxTokenLen = maxTokenLen
	MaxPatterns = maxPatterns
)

// WithLeeway returns o allowing a clock skew of d.
func WithLeeway(o Options, d time.Duration) Options {
	o.leeway = d
	return o
}

// GrantOf is the Grant of patterns, as a token listing them would give.
func GrantOf(patterns ...string) Grant { return Grant{patterns: patterns} }

// Patterns are the patterns g lists.
func (g Grant) Patterns() []string { return g.patterns }

// Subject is the "sub" of g's token.
func (g Grant) Subject() string { return g.subject }
