package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/feed"
)

// publishCmd publishes the simulated feed (internal/feed) to NATS.
type publishCmd struct {
	NATSURL       string        `name:"nats-url" default:"nats://127.0.0.1:4222" env:"FEEDSIM_NATS_URL" help:"NATS server URL; several may be given, comma-separated."`
	Symbols       int           `default:"50" env:"FEEDSIM_SYMBOLS" help:"Number of quote symbols (0: no quotes)."`
	Games         int           `default:"6" env:"FEEDSIM_GAMES" help:"Number of live games, spread over the leagues (0: no games)."`
	Leagues       []string      `default:"nba,nhl" env:"FEEDSIM_LEAGUES" help:"Leagues of the games, comma-separated (nba and nhl have real teams and rules)."`
	Rate          float64       `default:"200" env:"FEEDSIM_RATE" help:"Total updates per second over all subjects."`
	Seed          int64         `default:"0" env:"FEEDSIM_SEED" help:"Random seed (0: time-based)."`
	Duration      time.Duration `default:"0" env:"FEEDSIM_DURATION" help:"Stop after this long (0: run until SIGINT or SIGTERM)."`
	ReconnectWait time.Duration `default:"2s" env:"FEEDSIM_RECONNECT_WAIT" help:"Wait between NATS reconnect attempts (it retries forever)."`

	SnapshotStream   string   `name:"snapshot-stream" default:"TICKER_LAST" env:"FEEDSIM_SNAPSHOT_STREAM" help:"JetStream stream that keeps each subject's last update for the gateways' snapshots: created when missing (none: do not check)."`
	SnapshotSubjects []string `name:"snapshot-subjects" default:"quotes.>,scores.>" env:"FEEDSIM_SNAPSHOT_SUBJECTS" help:"Subjects the snapshot stream captures, comma separated."`
	SnapshotReplicas int      `name:"snapshot-replicas" default:"1" env:"FEEDSIM_SNAPSHOT_REPLICAS" help:"Replicas of the snapshot stream when feedsim creates it."`
}

// Validate checks the flags before anything connects; kong calls it.
func (c *publishCmd) Validate() error {
	switch {
	case !(c.Rate > 0):
		return fmt.Errorf("--rate must be positive, not %v", c.Rate)
	case c.Symbols < 0 || c.Games < 0:
		return errors.New("--symbols and --games must not be negative")
	case c.Symbols == 0 && c.Games == 0:
		return errors.New("nothing to publish: --symbols and --games are both 0")
	case c.Duration < 0:
		return fmt.Errorf("--duration must not be negative, not %v", c.Duration)
	case c.ReconnectWait <= 0:
		return fmt.Errorf("--reconnect-wait must be positive, not %v", c.ReconnectWait)
	}
	return nil
}

// Run connects to NATS, publishes until ctx is done or the duration is up, and
// prints a summary line to out.
func (c *publishCmd) Run(ctx context.Context, out io.Writer) error {
	nc, err := c.connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	c.ensureStream(ctx, nc)
	opts := c.options()
	slog.Info("publishing", "nats", nc.ConnectedUrlRedacted(), "symbols", c.Symbols,
		"games", c.Games, "leagues", strings.Join(c.Leagues, ","), "rate", c.Rate, "duration", c.Duration)

	start := time.Now()
	st, err := feed.Run(ctx, nc.Publish, opts)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	ferr := nc.Flush()
	fmt.Fprintf(out, "published %d updates (%d errors) in %s\n", st.Published, st.Errors, elapsed.Round(time.Millisecond))
	if ferr != nil {
		return fmt.Errorf("flush to NATS (the last updates may be lost): %w", ferr)
	}
	return nil
}

// ensureStream creates or checks the snapshot stream that captures what the
// feed publishes. Without it the gateways still get every update live, so a
// problem is logged, not fatal.
func (c *publishCmd) ensureStream(ctx context.Context, nc *nats.Conn) {
	s := broker.StreamNamed(c.SnapshotStream, c.SnapshotSubjects, c.SnapshotReplicas)
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := broker.EnsureStream(ctx, nc, *s); err != nil {
		slog.Warn("publishing without snapshots on other pods", "err", err)
	}
}

// options maps the flags to feed options: on the command line 0 symbols or
// games means none, where for feed.Options it means the default.
func (c *publishCmd) options() feed.Options {
	o := feed.Options{
		Symbols: c.Symbols,
		Games:   c.Games,
		Leagues: c.Leagues,
		Rate:    c.Rate,
		Seed:    c.Seed,
	}
	if o.Symbols == 0 {
		o.Symbols = -1
	}
	if o.Games == 0 {
		o.Games = -1
	}
	return o
}

// connect connects to NATS, set to reconnect forever and to log when the
// connection is lost and regained.
func (c *publishCmd) connect() (*nats.Conn, error) {
	nc, err := nats.Connect(c.NATSURL,
		nats.Name("feedsim"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(c.ReconnectWait),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if nc.IsClosed() {
				return // our own Close
			}
			slog.Warn("NATS disconnected; reconnecting", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			slog.Info("NATS reconnected", "nats", nc.ConnectedUrlRedacted())
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", redact(c.NATSURL), err)
	}
	return nc, nil
}

// redact hides the passwords and tokens in a comma-separated list of URLs.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.User == nil {
			continue
		}
		if _, hasPassword := u.User.Password(); hasPassword {
			parts[i] = u.Redacted()
		} else {
			u.User = url.User("xxxxx") // a token alone
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}
