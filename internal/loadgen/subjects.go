package loadgen

import "strconv"

// subjectWidth is the least number of digits in a subject's index suffix:
// quotes.L0000, quotes.L0001, ..., quotes.L12345.
const subjectWidth = 4

// SubjectName is the name of subject i under prefix, e.g. quotes.L0042.
func SubjectName(prefix string, i int) string {
	s := strconv.Itoa(i)
	for len(s) < subjectWidth {
		s = "0" + s
	}
	return prefix + s
}

// subjectIndex maps a subject's name to its index in [0, n), or -1 when it is
// not one of the n subjects under prefix. It does not allocate.
func subjectIndex(prefix string, n int, b []byte) int {
	if len(b) <= len(prefix) || string(b[:len(prefix)]) != prefix {
		return -1
	}
	digits := b[len(prefix):]
	if len(digits) > 9 || (len(digits) > subjectWidth && digits[0] == '0') || len(digits) < subjectWidth {
		return -1 // not the canonical spelling SubjectName gives
	}
	v := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	if v >= n {
		return -1
	}
	return v
}

// connSubjects is how connections are spread over subjects: connection i
// holds the k subjects (i*k + j) % n for j < k, so that every subject has
// about conns*k/n subscribers. It needs k <= n.
type connSubjects struct{ k, n int }

// first is the index of connection i's first subject.
func (cs connSubjects) first(i int) int { return int((int64(i) * int64(cs.k)) % int64(cs.n)) }

// subject is the index of connection i's j-th subject.
func (cs connSubjects) subject(i, j int) int { return (cs.first(i) + j) % cs.n }

// slot is the position among connection i's subjects of subject s, or -1
// when connection i does not hold s.
func (cs connSubjects) slot(i, s int) int {
	if s < 0 || s >= cs.n {
		return -1
	}
	j := s - cs.first(i)
	if j < 0 {
		j += cs.n
	}
	if j >= cs.k {
		return -1
	}
	return j
}

// stalled reports whether connection i is one of the percent% that stop
// reading after subscribing: they are spread evenly, exactly
// floor(conns*percent/100) of the first conns.
func stalled(i int, percent float64) bool {
	if percent <= 0 {
		return false
	}
	return int(float64(i+1)*percent/100) > int(float64(i)*percent/100)
}
