package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/ticker-dev/ticker/client"
)

// subCmd is a terminal subscriber: a live table on a terminal, or one JSON
// message per line when piped. It is a client of the public Go package and
// reconnects as that does.
type subCmd struct {
	Patterns     []string      `arg:"" name:"pattern" help:"Subject patterns, e.g. quotes.AAPL 'scores.nba.*' 'quotes.>' (quote * and > from the shell)."`
	URL          []string      `name:"url" default:"ws://127.0.0.1:8080/ws" env:"FEEDSIM_URL" help:"Gateway endpoint(s), ws:// or wss://; repeat or comma-separate for several, tried in turn after each disconnect."`
	Codec        string        `default:"json" enum:"json,msgpack" env:"FEEDSIM_CODEC" help:"Subprotocol: json or msgpack (piped output is JSON either way)."`
	Token        string        `env:"FEEDSIM_TOKEN" help:"JWT for a gateway with auth, sent as Authorization: Bearer."`
	Count        int           `default:"0" env:"FEEDSIM_COUNT" help:"Exit 0 after this many updates (0: no limit)."`
	Duration     time.Duration `default:"0" env:"FEEDSIM_DURATION" help:"Exit 0 after this long (0: until Ctrl-C)."`
	MaxRate      float64       `name:"max-rate" default:"0" env:"FEEDSIM_MAX_RATE" help:"Ask for at most this many updates per second per subject (sent as max_rate; needs a server with per-subscription rate limits: today's ticker ignores it)."`
	Delta        bool          `env:"FEEDSIM_DELTA" help:"Ask for field deltas (sent as delta; needs a server with deltas: today's ticker ignores it)."`
	SnapshotOnly bool          `name:"snapshot-only" env:"FEEDSIM_SNAPSHOT_ONLY" help:"Exit 0 once the snapshots of every pattern have arrived."`
	JSON         bool          `name:"json" env:"FEEDSIM_JSON" help:"One message per line, as received, also on a terminal (piped output always is)."`
}

// Validate checks the flags before anything connects; kong calls it.
func (c *subCmd) Validate() error {
	switch {
	case c.Count < 0:
		return fmt.Errorf("--count must not be negative, not %d", c.Count)
	case c.Duration < 0:
		return fmt.Errorf("--duration must not be negative, not %v", c.Duration)
	case c.MaxRate < 0:
		return fmt.Errorf("--max-rate must not be negative, not %v", c.MaxRate)
	}
	for _, u := range c.URL {
		scheme, _, ok := strings.Cut(u, "://")
		if scheme = strings.ToLower(scheme); !ok || (scheme != "ws" && scheme != "wss") {
			return fmt.Errorf("--url %q needs ws:// or wss://, as in ws://127.0.0.1:8080/ws", u)
		}
	}
	return nil
}

// view is what shows the updates: lines (piped) or a table (terminal).
type view interface {
	update(u client.Update) error
	event(e client.Event)
	close()
}

// errStop is the cause of a run that reached --count or --snapshot-only.
var errStop = errors.New("done")

// Run subscribes and shows what arrives until the count, the duration,
// Ctrl-C or a refusal ends it.
func (c *subCmd) Run(ctx context.Context, out io.Writer) error {
	k, err := client.ParseCodec(c.Codec)
	if err != nil {
		return err
	}
	for _, p := range c.Patterns {
		if err := client.CheckPattern(p); err != nil {
			return fmt.Errorf("bad subject: %w", err) // what the server would answer, said before connecting
		}
	}
	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	var v view
	if f, ok := out.(*os.File); ok && !c.JSON && term.IsTerminal(int(f.Fd())) {
		v = openTable(f, k)
	} else {
		v = &lines{out: out, log: os.Stderr}
	}
	defer v.close()

	var n atomic.Int64
	cl, err := client.New(client.Options{
		URLs:  c.URL,
		Codec: k,
		Token: c.Token,
		OnUpdate: func(u client.Update) {
			if ctx.Err() != nil {
				return // stopping: --count is exact
			}
			if err := v.update(u); err != nil {
				stop(fmt.Errorf("writing: %w", err))
				return
			}
			if c.Count > 0 && n.Add(1) >= int64(c.Count) {
				stop(errStop)
			}
		},
		OnEvent: func(e client.Event) {
			v.event(e)
			switch {
			case e.State == client.Refused:
				stop(fmt.Errorf("refused: %w", e.Err))
			case e.State == client.Subscribed && c.SnapshotOnly:
				stop(errStop)
			}
		},
	})
	if err != nil {
		return err
	}
	if err := cl.SubscribeWith(client.SubscribeOptions{MaxRate: c.MaxRate, Delta: c.Delta}, c.Patterns...); err != nil {
		return err
	}
	if err := cl.Run(ctx); err != nil {
		return fmt.Errorf("refused: %w", err)
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, errStop) && !errors.Is(cause, context.Canceled) &&
		!errors.Is(cause, context.DeadlineExceeded) {
		return cause
	}
	return nil
}
