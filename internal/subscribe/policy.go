package subscribe

import "slices"

// Policy decides whether a parsed op may take effect on a connection. The zero
// value permits nothing (its Allow is empty); MaxSubs 0 means 256.
type Policy struct {
	Allow   Allow // the patterns clients may subscribe within
	MaxSubs int   // most distinct patterns one connection may hold
	// MaxRate caps the max_rate of every sub, in updates per second per
	// subject; 0 means no cap.
	MaxRate float64
}

// Rate is the effective max_rate of a sub: the smallest of op.MaxRate and
// p.MaxRate among those above 0, or 0 (unlimited) if neither is.
func (p Policy) Rate(op Op) float64 { return MinRate(op.MaxRate, p.MaxRate) }

// MinRate is the smallest of a and b among those above 0, or 0 if neither is:
// a rate of 0 means unlimited.
func MinRate(a, b float64) float64 {
	switch {
	case a <= 0:
		return max(b, 0)
	case b <= 0 || a < b:
		return a
	}
	return b
}

func (p Policy) maxSubs() int {
	if p.MaxSubs <= 0 {
		return defaultMaxSubjects
	}
	return p.MaxSubs
}

// CheckSub checks a sub against the subject rules, the allowed patterns and
// the subscription limit, given the patterns the connection holds (held, which
// may be nil for none) and how many (count). The first failing subject decides
// the one error: bad_subject, forbidden or too_many_subscriptions, naming the
// subject and carrying op.ID. A pattern already held, or repeated within the
// op, does not count again. CheckSub changes nothing: the caller applies the
// whole op only when it returns nil.
func (p Policy) CheckSub(op Op, held func(pattern string) bool, count int) *Error {
	limit := p.maxSubs()
	for i, s := range op.Subjects {
		if slices.Contains(op.Subjects[:i], s) {
			continue // checked and counted already
		}
		if err := ValidatePattern(s); err != nil {
			return errorf(CodeBadSubject, op.ID, "subject %s: %v", quote(s), err)
		}
		if !p.Allow.Permits(s) {
			return errorf(CodeForbidden, op.ID, "subject %s: not allowed", quote(s))
		}
		if held != nil && held(s) {
			continue
		}
		if count++; count > limit {
			return errorf(CodeTooManySubscriptions, op.ID, "subject %s: more than %d subscriptions", quote(s), limit)
		}
	}
	return nil
}

// CheckUnsub checks an unsub against the subject rules (bad_subject). A
// pattern the connection does not hold, or is not allowed, is fine: the
// caller acknowledges it.
func (p Policy) CheckUnsub(op Op) *Error {
	for _, s := range op.Subjects {
		if err := ValidatePattern(s); err != nil {
			return errorf(CodeBadSubject, op.ID, "subject %s: %v", quote(s), err)
		}
	}
	return nil
}
