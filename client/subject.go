package client

import (
	"fmt"
	"strings"
)

// The subject rules of ticker.v1 (docs/protocol.md, section 2).
const (
	maxTokens       = 16
	maxSubjectBytes = 256
)

// CheckPattern reports why p is not a valid subject pattern, or nil: one to
// 16 dot-separated tokens of [A-Za-z0-9_-], at most 256 bytes; a token may be
// exactly "*", and the last one exactly ">". The server applies the same
// rules (and its allow list on top); Subscribe checks them first so that a
// typo fails at once.
func CheckPattern(p string) error {
	if p == "" {
		return fmt.Errorf("pattern %q: empty", p)
	}
	if len(p) > maxSubjectBytes {
		return fmt.Errorf("pattern %.40q...: longer than %d bytes", p, maxSubjectBytes)
	}
	tokens := strings.Split(p, ".")
	if len(tokens) > maxTokens {
		return fmt.Errorf("pattern %q: more than %d tokens", p, maxTokens)
	}
	for i, t := range tokens {
		switch {
		case t == "":
			return fmt.Errorf("pattern %q: empty token", p)
		case t == "*":
		case t == ">":
			if i != len(tokens)-1 {
				return fmt.Errorf("pattern %q: '>' must be the last token", p)
			}
		default:
			for _, c := range []byte(t) {
				if !tokenByte(c) {
					return fmt.Errorf("pattern %q: invalid token %q", p, t)
				}
			}
		}
	}
	return nil
}

func tokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// matches tells whether the concrete subject s matches pattern p.
func matches(p, s string) bool {
	for {
		pt, prest, pmore := strings.Cut(p, ".")
		st, srest, smore := strings.Cut(s, ".")
		switch {
		case pt == ">":
			return true // one or more tokens left in s: st is one
		case pt != "*" && pt != st:
			return false
		case !pmore || !smore:
			return pmore == smore
		}
		p, s = prest, srest
	}
}
