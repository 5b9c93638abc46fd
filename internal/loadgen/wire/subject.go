package wire

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
