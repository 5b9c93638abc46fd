package loadgen

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"syscall"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/fleet"
)

// Config is one load run. Run checks it; the zero values of the optional
// fields get the defaults noted.
type Config struct {
	URLs         []string      `json:"urls"`          // ticker.v1 endpoints, loopback only; connections go round robin
	Conns        int           `json:"conns"`         // subscriber connections in all
	SubsPerConn  int           `json:"subs_per_conn"` // subjects per connection, at most Subjects
	Subjects     int           `json:"subjects"`      // subjects Prefix0000 .. Prefix<Subjects-1>
	Prefix       string        `json:"prefix"`        // default quotes.L
	Rate         float64       `json:"rate"`          // updates published per second over all subjects
	Duration     time.Duration `json:"duration"`      // how long to publish (the measured window)
	Ramp         time.Duration `json:"ramp"`          // connections open evenly over this
	Warmup       time.Duration `json:"warmup"`        // idle wait between subscribed and publishing
	Codec        codec.Kind    `json:"codec"`
	SrcIPs       []net.IP      `json:"src_ips"`       // loopback source addresses, round robin; none: the kernel's choice
	NATSURL      string        `json:"nats_url"`      // where to publish, loopback only; default nats://127.0.0.1:4222
	StallPercent float64       `json:"stall_percent"` // share of connections that subscribe, then never read
	MetricsURLs  []string      `json:"metrics_urls"`  // servers' /metrics; none: derived from URLs
	Procs        int           `json:"procs"`         // processes holding the connections (default 1: this one)
	Label        string        `json:"label"`         // names the run in reports

	DialConcurrency int `json:"dial_concurrency"` // handshakes in flight at once; default 64

	// A connection the server closes with 1001 (going away: the pod drains)
	// dials another of URLs, at random, after a random delay within
	// ReconnectJitter (full jitter: uniform in [0, ReconnectJitter]; zero:
	// at once) and subscribes again, unless NoReconnect. One refused with
	// 1013 (or HTTP 503), on its first dial or later, tries another URL
	// after a wait uniform in [0, the server's "retry after" hint], or
	// without one in [0, min(15 s, 500 ms·2^attempt)], at most 20 times in a
	// row; refusals are reported apart from connect errors. See the fleet's seqTrack for how
	// the updates it missed meanwhile are counted.
	ReconnectJitter time.Duration `json:"reconnect_jitter"`
	NoReconnect     bool          `json:"no_reconnect"`

	// Client control (issue 14): every sub asks for at most MaxRate updates
	// per second per subject (0: unlimited) and, with Delta, for field
	// deltas; Compression is the permessage-deflate mode offered: "off"
	// (or empty), "no-context-takeover" or "context-takeover".
	MaxRate     float64 `json:"max_rate"`
	Delta       bool    `json:"delta"`
	Compression string  `json:"compression"`

	Progress io.Writer    `json:"-"` // a progress line every second; nil: none
	Logger   *slog.Logger `json:"-"` // default slog.Default()
	// Spawn returns a command that runs RunChild with this process's
	// standard streams; it is needed when Procs > 1.
	Spawn func() *exec.Cmd `json:"-"`
}

// Limits of a run.
const (
	maxSubjects  = 1_000_000
	fdHeadroom   = 256 // descriptors a process needs besides its connections
	hardDeadline = 30 * time.Second
)

// withDefaults fills the optional fields.
func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = "quotes.L"
	}
	if c.NATSURL == "" {
		c.NATSURL = "nats://127.0.0.1:4222"
	}
	if c.Procs == 0 {
		c.Procs = 1
	}
	if c.DialConcurrency == 0 {
		c.DialConcurrency = 64
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// fleetConfig is what the connections of a run need of c.
func (c *Config) fleetConfig() fleet.Config {
	return fleet.Config{URLs: c.URLs, Codec: c.Codec, Prefix: c.Prefix, Subjects: c.Subjects, SubsPerConn: c.SubsPerConn,
		StallPercent: c.StallPercent, SrcIPs: c.SrcIPs, Ramp: c.Ramp, DialConcurrency: c.DialConcurrency,
		ReconnectJitter: c.ReconnectJitter, NoReconnect: c.NoReconnect,
		MaxRate: c.MaxRate, Delta: c.Delta, Compression: c.Compression}
}

// deadline bounds a whole run: everything is cancelled after it.
func (c Config) deadline() time.Duration { return c.Duration + c.Ramp + c.Warmup + hardDeadline }

// validate checks a config with defaults filled.
func (c Config) validate() error {
	var errs []error
	if len(c.URLs) == 0 {
		errs = append(errs, errors.New("no --url to load"))
	}
	for _, u := range c.URLs {
		errs = append(errs, wsURLFlag.check(u))
	}
	for _, u := range c.MetricsURLs {
		errs = append(errs, metricsURLFlag.check(u))
	}
	errs = append(errs, checkNATSURLs(c.NATSURL))
	for _, ip := range c.SrcIPs {
		if !ip.IsLoopback() {
			errs = append(errs, fmt.Errorf("source address %s is not loopback", ip))
		}
	}
	switch {
	case c.Conns <= 0:
		errs = append(errs, fmt.Errorf("--conns must be positive, not %d", c.Conns))
	case c.Subjects <= 0 || c.Subjects > maxSubjects:
		errs = append(errs, fmt.Errorf("--subjects must be within 1..%d, not %d", maxSubjects, c.Subjects))
	case c.SubsPerConn <= 0 || c.SubsPerConn > c.Subjects:
		errs = append(errs, fmt.Errorf("--subs-per-conn must be within 1..--subjects (%d), not %d", c.Subjects, c.SubsPerConn))
	case !(c.Rate > 0):
		errs = append(errs, fmt.Errorf("--rate must be positive, not %v", c.Rate))
	case c.Duration <= 0 || c.Ramp < 0 || c.Warmup < 0 || c.ReconnectJitter < 0:
		errs = append(errs, errors.New("--duration must be positive, --ramp, --warmup and --reconnect-jitter not negative"))
	case !(c.MaxRate >= 0 && c.MaxRate <= 1000):
		errs = append(errs, fmt.Errorf("--max-rate must be within 0..1000, not %v", c.MaxRate))
	case !fleet.ValidCompression(c.Compression):
		errs = append(errs, fmt.Errorf("--compression must be off, no-context-takeover or context-takeover, not %q", c.Compression))
	case !(c.StallPercent >= 0 && c.StallPercent <= 100):
		errs = append(errs, fmt.Errorf("--stall must be a percentage, not %v", c.StallPercent))
	case c.Procs < 1 || c.Procs > c.Conns:
		errs = append(errs, fmt.Errorf("--procs must be within 1..--conns, not %d", c.Procs))
	case c.Procs > 1 && c.Spawn == nil:
		errs = append(errs, errors.New("--procs > 1 needs a way to start child processes"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return checkFDs((c.Conns + c.Procs - 1) / c.Procs)
}

// checkFDs makes sure this process may open conns more connections, raising
// its soft descriptor limit up to the hard one if needed.
func checkFDs(conns int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // unknown: let the dials tell
	}
	need := uint64(conns + fdHeadroom)
	if lim.Cur >= need {
		return nil
	}
	if lim.Max >= need {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%d connections in one process need %d file descriptors, the limit is %d: use --procs to spread them over processes",
		conns, need, lim.Max)
}
