package subscribe

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of a subject or pattern.
const (
	maxTokens     = 16  // most dot-separated tokens
	maxSubjectLen = 256 // most bytes
)

var (
	errEmpty      = errors.New("empty")
	errTooLong    = fmt.Errorf("longer than %d bytes", maxSubjectLen)
	errTooMany    = fmt.Errorf("more than %d tokens", maxTokens)
	errEmptyToken = errors.New("empty token")
	errFullWild   = errors.New("'>' must be the last token")
)

// ValidateSubject checks a concrete subject: 1 to 16 dot-separated tokens of
// [A-Za-z0-9_-], at most 256 bytes, no wildcards.
func ValidateSubject(s string) error { return validate(s, false) }

// ValidatePattern checks a subscription pattern: like a subject, but a token
// may be exactly "*" and the last token may be exactly ">".
func ValidatePattern(p string) error { return validate(p, true) }

// numTokens returns the number of dot-separated tokens in s; 0 for "".
func numTokens(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, ".") + 1
}

func validate(s string, wildcards bool) error {
	switch {
	case s == "":
		return errEmpty
	case len(s) > maxSubjectLen:
		return errTooLong
	}
	for n := 1; ; n++ {
		if n > maxTokens {
			return errTooMany
		}
		tok, rest, more := strings.Cut(s, ".")
		if err := validateToken(tok, wildcards, !more); err != nil {
			return err
		}
		if !more {
			return nil
		}
		s = rest
	}
}

func validateToken(tok string, wildcards, last bool) error {
	switch {
	case tok == "":
		return errEmptyToken
	case wildcards && tok == "*":
		return nil
	case wildcards && tok == ">":
		if last {
			return nil
		}
		return errFullWild
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
			continue
		case (c == '*' || c == '>') && wildcards:
			return fmt.Errorf("wildcard '%c' must be a whole token", c)
		case c == '*' || c == '>':
			return fmt.Errorf("wildcard '%c' not allowed in a subject", c)
		}
		if r, size := utf8.DecodeRuneInString(tok[i:]); r != utf8.RuneError || size > 1 {
			return fmt.Errorf("invalid character %q", r)
		}
		return fmt.Errorf("invalid byte 0x%02x", c)
	}
	return nil
}
