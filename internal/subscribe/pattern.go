package subscribe

import "strings"

// Match reports whether pattern matches subject with NATS semantics: "*"
// matches exactly one token and a trailing ">" one or more tokens. It assumes
// a valid pattern and subject (see ValidatePattern and ValidateSubject); for
// other input the result is unspecified, but it never panics. It does not
// allocate.
func Match(pattern, subject string) bool {
	for {
		pt, prest, pmore := strings.Cut(pattern, ".")
		if pt == ">" {
			return true // subject still has at least one token here
		}
		st, srest, smore := strings.Cut(subject, ".")
		if pt != "*" && pt != st {
			return false
		}
		if pmore != smore {
			return false
		}
		if !pmore {
			return true
		}
		pattern, subject = prest, srest
	}
}
