package fleet

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
