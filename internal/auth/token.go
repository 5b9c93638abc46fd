package auth

import (
	"net/http"
	"strings"
)

// TokenParam is the query parameter a token may come in, for clients that
// cannot set headers on a WebSocket upgrade (browsers).
const TokenParam = "token"

// tokenOf returns the bearer token of r's Authorization header, or else its
// token query parameter, or "".
func tokenOf(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		if tok = strings.TrimSpace(tok); tok != "" {
			return tok
		}
	}
	return r.URL.Query().Get(TokenParam)
}
