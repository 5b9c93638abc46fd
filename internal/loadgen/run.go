package loadgen

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/loadgen/fleet"
	"github.com/ticker-dev/ticker/internal/loadgen/publish"
	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// How long the end of a run waits: for the last deliveries (until nothing
// moved for levelQuiet) and for the stalled connections' fate.
const (
	levelQuiet  = 2 * time.Second
	stalledWait = 2 * time.Second
)

// subscribers are the connections of a run: in this process, or in child
// processes (Config.Procs).
type subscribers interface {
	// open opens the connections and returns once each has subscribed or
	// failed, or ctx is done.
	open(ctx context.Context) error
	// start marks the beginning of the measured window.
	start() error
	progress() report.Progress
	// level waits until the connections have received the updates up to
	// final, the last seqs published by subject, or ctx is done.
	level(ctx context.Context, final []uint64) error
	// close closes every connection and returns their report, including
	// the CPU time spent by child processes in the window.
	close(ctx context.Context) (*report.Report, error)
}

// Run runs a load as cfg says and reports it. Canceling ctx (SIGINT) ends the
// run early, with a report; a hard deadline (duration + ramp + warmup + 30 s)
// bounds the whole run. Every connection is closed when it returns.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.deadline())
	defer cancel()
	soft, cancelSoft := context.WithCancel(hard)
	defer cancelSoft()
	defer context.AfterFunc(ctx, cancelSoft)()

	nc, err := nats.Connect(cfg.NATSURL, nats.Name("feedsim load"))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", cfg.NATSURL, err)
	}
	defer nc.Close()
	pub := publish.New(nc.Publish, cfg.Prefix, cfg.Subjects, cfg.Rate)

	scr := report.NewScraper(cfg.metricsURLs())
	scr.Before(soft)

	var subs subscribers
	if cfg.Procs > 1 {
		if subs, err = startChildren(hard, &cfg); err != nil {
			return nil, err
		}
	} else {
		subs = &localSubs{f: fleet.New(cfg.fleetConfig(), 0, cfg.Conns, pub.LastSeq)}
	}
	prog := report.StartProgress(cfg.Progress, cfg.Conns, subs.progress)
	defer prog.Stop()
	cfg.Logger.Info("opening connections", "conns", cfg.Conns, "urls", cfg.URLs, "ramp", cfg.Ramp, "procs", cfg.Procs)

	err = subs.open(soft)
	if soft.Err() != nil {
		err = nil // stopped early (SIGINT): report what there is
	}
	sleep(soft, cfg.Warmup)
	scr.Idle(soft)
	if err == nil {
		err = subs.start()
	}
	cpu0 := cpuTime()
	var elapsed time.Duration
	if err == nil && soft.Err() == nil {
		cfg.Logger.Info("publishing", "rate", cfg.Rate, "subjects", cfg.Subjects, "duration", cfg.Duration)
		elapsed = pub.Run(soft, cfg.Duration)
	}
	if ferr := nc.FlushTimeout(5 * time.Second); ferr != nil {
		cfg.Logger.Warn("flush to NATS", "err", ferr)
	}
	final := pub.FinalSeqs()
	if err == nil {
		err = subs.level(hard, final)
	}
	cpu1 := cpuTime()
	scr.End(hard)
	prog.Stop()

	r, cerr := subs.close(hard)
	if err == nil {
		err = cerr
	}
	if r == nil {
		return nil, err
	}
	r.Label, r.URLs, r.Codec, r.Procs = cfg.Label, cfg.URLs, cfg.Codec.String(), cfg.Procs
	r.Conns, r.SubsPerConn, r.Subjects, r.Rate = cfg.Conns, cfg.SubsPerConn, cfg.Subjects, cfg.Rate
	r.Seconds = elapsed.Seconds()
	r.Published, r.PublishErrors = pub.Published(), pub.Errors()
	r.CPUSeconds += (cpu1 - cpu0).Seconds()
	if elapsed > 0 {
		r.Server = scr.Stats(r.Subscribed+r.Stalled, r.Delivered)
	}
	r.Derive()
	return r, err
}

// metricsURLs are the servers to scrape: as given, or each distinct URL's
// host with /metrics.
func (c *Config) metricsURLs() []string {
	if len(c.MetricsURLs) > 0 {
		return c.MetricsURLs
	}
	var out []string
	for _, u := range c.URLs {
		if m, err := metricsURLOf(u); err == nil && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// localSubs are the connections of a run held by this process.
type localSubs struct {
	f     *fleet.Fleet
	final []uint64 // the last seqs published, once known
}

func (l *localSubs) open(ctx context.Context) error { l.f.Open(ctx); return nil }
func (l *localSubs) start() error                   { return nil }
func (l *localSubs) progress() report.Progress      { return l.f.Progress() }

func (l *localSubs) level(ctx context.Context, final []uint64) error {
	l.final = final
	l.f.WaitLevel(ctx, final, levelQuiet)
	return nil
}

func (l *localSubs) close(context.Context) (*report.Report, error) {
	ends := l.f.DrainStalled(stalledWait)
	l.f.Close()
	return l.f.Report(l.final, ends), nil
}

// Codec names accepted on the command line.
var codecs = map[string]codec.Kind{"json": codec.JSON, "msgpack": codec.Msgpack}

// ParseCodec maps "json" or "msgpack" to its Kind.
func ParseCodec(s string) (codec.Kind, error) {
	k, ok := codecs[s]
	if !ok {
		return 0, fmt.Errorf("codec %q: want json or msgpack", s)
	}
	return k, nil
}
