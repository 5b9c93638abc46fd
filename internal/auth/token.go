package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// tokenParam is the query parameter a token may come in, for clients that
// cannot set headers on a WebSocket upgrade (browsers).
const tokenParam = "token"

// tokenOf returns the bearer token of r's Authorization header, or else its
// token query parameter, or "" when there is neither. Two Authorization
// headers, or two token parameters, are an error: net/http would take the
// first and ignore the other, which a proxy in front may have read otherwise.
func tokenOf(r *http.Request) (string, error) {
	switch h := r.Header.Values("Authorization"); {
	case len(h) > 1:
		return "", errors.New("Authorization header given twice")
	case len(h) == 1:
		scheme, tok, ok := strings.Cut(h[0], " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			if tok = strings.TrimSpace(tok); tok != "" {
				return tok, nil
			}
		}
	}
	switch q := r.URL.Query()[tokenParam]; len(q) {
	case 0:
		return "", nil
	case 1:
		return q[0], nil
	default:
		return "", fmt.Errorf("query parameter %q given twice", tokenParam)
	}
}
