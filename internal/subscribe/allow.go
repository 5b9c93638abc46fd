package subscribe

import (
	"fmt"
	"slices"
	"strings"
)

// Allow is the set of patterns clients may subscribe within, e.g. "quotes.>"
// and "scores.>". The zero value permits nothing.
type Allow struct {
	patterns []string
	// fresh is a token no allowed pattern names literally: only a wildcard
	// of an allowed pattern matches it.
	fresh string
}

// NewAllow returns the Allow of patterns, each checked with ValidatePattern.
// The binary's default is []string{"quotes.>", "scores.>"}.
func NewAllow(patterns []string) (Allow, error) {
	longest := 0
	for _, p := range patterns {
		if err := ValidatePattern(p); err != nil {
			return Allow{}, fmt.Errorf("allowed pattern %s: %w", quote(p), err)
		}
		for tok := range strings.SplitSeq(p, ".") {
			longest = max(longest, len(tok))
		}
	}
	return Allow{patterns: slices.Clone(patterns), fresh: strings.Repeat("_", longest+1)}, nil
}

// Patterns returns a copy of the allowed patterns.
func (a Allow) Patterns() []string { return slices.Clone(a.patterns) }

// Permits reports whether every subject the client pattern can match is
// matched by some allowed pattern. With "quotes.>" allowed it permits
// "quotes.AAPL", "quotes.*", "quotes.>" and "quotes.*.x", but not "quotes",
// ">" or "*.AAPL". An invalid pattern is not permitted.
//
// For each subject length the pattern can reach, Permits builds a witness:
// the pattern with each wildcard replaced by a token no allowed pattern names.
// Only an allowed pattern with wildcards in those places matches it, and such
// a pattern matches every subject of that length the client pattern can. So
// the check is exact, also where several allowed patterns cover a pattern
// together ("a.>" under "a.*" and "a.*.>"); it only ignores the 256-byte limit of a subject,
// which can make it refuse, never permit, too much.
func (a Allow) Permits(pattern string) bool {
	if len(a.patterns) == 0 || ValidatePattern(pattern) != nil {
		return false
	}
	n := numTokens(pattern)
	longest := n
	if strings.HasSuffix(pattern, ">") {
		longest = maxTokens
	}
	var w strings.Builder
	for m := n; m <= longest; m++ {
		w.Reset()
		a.witness(&w, pattern, m-n+1)
		if !a.matches(w.String()) {
			return false
		}
	}
	return true
}

// witness writes pattern with each "*" replaced by a.fresh and a trailing ">"
// by rest fresh tokens.
func (a Allow) witness(w *strings.Builder, pattern string, rest int) {
	for more := true; more; {
		var tok string
		tok, pattern, more = strings.Cut(pattern, ".")
		switch tok {
		case "*":
			w.WriteString(a.fresh)
		case ">":
			w.WriteString(strings.Repeat("."+a.fresh, rest)[1:])
		default:
			w.WriteString(tok)
		}
		if more {
			w.WriteByte('.')
		}
	}
}

func (a Allow) matches(subject string) bool {
	for _, p := range a.patterns {
		if Match(p, subject) {
			return true
		}
	}
	return false
}
