package gateway

import (
	"fmt"

	"github.com/coder/websocket"
)

// ParseCompression reads a permessage-deflate mode by its flag name: "off"
// (or ""), "no-context-takeover" or "context-takeover".
func ParseCompression(name string) (websocket.CompressionMode, error) {
	switch name {
	case "", "off":
		return websocket.CompressionDisabled, nil
	case "no-context-takeover":
		return websocket.CompressionNoContextTakeover, nil
	case "context-takeover":
		return websocket.CompressionContextTakeover, nil
	}
	return 0, fmt.Errorf("%q is not off, no-context-takeover or context-takeover", name)
}
