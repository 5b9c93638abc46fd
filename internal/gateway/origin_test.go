package gateway

import (
	"net/http/httptest"
	"testing"
)

func TestOriginRule(t *testing.T) {
	patterns := []string{"localhost:*", "[::1]:*", "*.example.com", "https://app.test"}
	tests := []struct {
		origin string
		want   bool
	}{
		{"", true},                         // not a browser page
		{"http://gw.internal:8080", true},  // the gateway's own host
		{"HTTP://GW.INTERNAL:8080", true},  // case-insensitive
		{"http://localhost:3000", true},    // host pattern
		{"https://live.example.com", true}, // wildcard subdomain
		{"https://app.test", true},         // scheme://host pattern
		{"http://app.test", false},         // wrong scheme for that pattern
		{"https://example.com", false},     // "*." needs a subdomain
		{"http://localhost.evil.test", false},
		{"http://[::1]:5173", true}, // brackets are literal, not a class
		{"http://1:5173", false},
		{"null", false}, // sandboxed iframes and file:// pages
		{"://bad", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://gw.internal:8080/ws", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if got := originAllowed(r, patterns); got != tt.want {
				t.Fatalf("originAllowed(%q) = %v, want %v", tt.origin, got, tt.want)
			}
		})
	}
}

func TestValidateOriginsRefusesBadPatterns(t *testing.T) {
	if err := ValidateOrigins([]string{"localhost:*", "[::1]:*"}); err != nil {
		t.Fatal(err)
	}
	if err := ValidateOrigins([]string{`bad\`}); err == nil {
		t.Fatal("accepted a malformed pattern")
	}
}
