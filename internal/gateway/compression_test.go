package gateway

import (
	"testing"

	"github.com/coder/websocket"
)

func TestParseCompressionReadsTheFlagNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want websocket.CompressionMode
	}{
		{"", websocket.CompressionDisabled},
		{"off", websocket.CompressionDisabled},
		{"no-context-takeover", websocket.CompressionNoContextTakeover},
		{"context-takeover", websocket.CompressionContextTakeover},
	} {
		if got, err := ParseCompression(tc.name); err != nil || got != tc.want {
			t.Errorf("ParseCompression(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"on", "Off", "deflate", "context_takeover"} {
		if _, err := ParseCompression(bad); err == nil {
			t.Errorf("ParseCompression(%q): no error", bad)
		}
	}
}
