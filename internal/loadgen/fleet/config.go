package fleet

import (
	"net"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

// Config is what a fleet needs of a run's configuration (loadgen.Config
// says what each field means and checks them).
type Config struct {
	URLs            []string // connection i dials URLs[i % len(URLs)] first
	Codec           codec.Kind
	Prefix          string // of the subjects' names (wire.SubjectName)
	Subjects        int
	SubsPerConn     int
	StallPercent    float64  // share of connections that subscribe, then never read
	SrcIPs          []net.IP // round robin; none: the kernel's choice
	Ramp            time.Duration
	DialConcurrency int
	ReconnectJitter time.Duration
	NoReconnect     bool
	MaxRate         float64 // sent as max_rate in every sub; 0: none
	Delta           bool    // sent as "delta": true in every sub
	Compression     string  // off (or empty), no-context-takeover, context-takeover
}

// The permessage-deflate modes, as the flag names them.
var compressionModes = map[string]websocket.CompressionMode{
	"": websocket.CompressionDisabled, "off": websocket.CompressionDisabled,
	"no-context-takeover": websocket.CompressionNoContextTakeover,
	"context-takeover":    websocket.CompressionContextTakeover,
}

// ValidCompression tells whether s names a compression mode.
func ValidCompression(s string) bool { _, ok := compressionModes[s]; return ok }

// CompressionOf is the mode s names; off for an unknown name.
func CompressionOf(s string) websocket.CompressionMode { return compressionModes[s] }
