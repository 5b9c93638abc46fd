package client

// nextURL returns the index among n URLs of the next attempt's, after the
// attempt to the URL at cur ended with code; random is uniform in [0, 1).
//
// After 1001 (the pod drains) and 1013 (it refuses new connections) the next
// URL is one of the others at random: the clients a drained or overloaded
// pod sends away spread evenly over the remaining pods, instead of all of
// them landing on the URL after it. Otherwise the URLs are tried in turn.
func nextURL(cur, n, code int, random func() float64) int {
	if n <= 1 {
		return 0
	}
	if code != StatusGoingAway && code != StatusTryAgainLater {
		return (cur + 1) % n
	}
	i := min(max(int(random()*float64(n-1)), 0), n-2) // one of the n-1 others
	if i >= cur {
		i++
	}
	return i
}
