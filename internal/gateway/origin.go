package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// ValidateOrigins checks allowed-origin patterns: host patterns in path.Match
// syntax ("localhost:*", "*.example.com", "[::1]:*"), or scheme://host
// patterns. Brackets are literal, for IPv6 hosts, not character classes.
func ValidateOrigins(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(hostPattern(p), ""); err != nil {
			return fmt.Errorf("origin pattern %q: %w", p, err)
		}
	}
	return nil
}

// originAllowed reports whether the request may become a connection: it has
// no Origin (it is not from a browser page), or its Origin is the gateway's
// own host, or it matches one of patterns, case-insensitively. The rule is
// coder/websocket's; ticker applies it itself so that a refused page gets
// close code 1008 with a reason, not an HTTP 403 that browsers hide as 1006.
func originAllowed(r *http.Request, patterns []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(hostPattern(p), strings.ToLower(target)); ok {
			return true
		}
	}
	return false
}

// brackets makes "[" and "]" literal in a path.Match pattern.
var brackets = strings.NewReplacer("[", `\[`, "]", `\]`)

// hostPattern is an origin pattern ready for path.Match: lower case, with
// IPv6 brackets taken literally.
func hostPattern(p string) string { return brackets.Replace(strings.ToLower(p)) }
