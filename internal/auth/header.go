package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// segments splits a token in the JWS compact serialization into its three
// base64url segments. Only the base64url alphabet and the two dots may occur:
// Go's base64 decoder would skip CR and LF, so that differently written
// tokens would verify alike.
func segments(raw string) (header, payload, signature string, err error) {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return "", "", "", fmt.Errorf("byte 0x%02x at %d: not base64url", c, i)
		}
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("%d segments, want 3 (header.payload.signature)", len(parts))
	}
	return parts[0], parts[1], parts[2], nil
}

// checkHeader checks the JOSE header of a token before the JWT library reads
// it: one JSON object of UTF-8, every member name once, and no "crit".
//
// RFC 7515 §4.1.11: a recipient must refuse a token whose "crit" lists an
// extension it does not understand, and a "crit" that is not a non-empty
// array of names. The JWT library ignores "crit", and the gateway understands
// no extension (RFC 7797's "b64":false, say, would change what the signature
// covers), so any "crit" is refused.
func checkHeader(segment string) error {
	data, err := base64.RawURLEncoding.Strict().DecodeString(segment)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	h, err := decodeObject(data)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	crit, ok := h["crit"]
	if !ok {
		return nil
	}
	names, ok := crit.([]any)
	if !ok || len(names) == 0 {
		return errors.New(`header: malformed "crit": want a non-empty array of names`)
	}
	for _, n := range names {
		if s, ok := n.(string); !ok || s == "" {
			return errors.New(`header: malformed "crit": want a non-empty array of names`)
		}
	}
	return fmt.Errorf(`header: "crit" lists extensions the gateway does not understand: %.64v`, names)
}
