package fleet

import (
	"net"
	"time"

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
}
