// Command feedsim feeds ticker: it publishes simulated quotes and scores to
// NATS, and is the home of ticker's load-testing tools.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// cli is feedsim's command line: one field per subcommand. Every flag has a
// FEEDSIM_<NAME> environment variable twin and help text.
type cli struct {
	Publish   publishCmd   `cmd:"" help:"Publish simulated quotes and scores to NATS."`
	Load      loadCmd      `cmd:"" help:"Load-test ticker on this machine: many subscribers, a paced publisher, latency and delivery report."`
	Rawserver rawserverCmd `cmd:"" help:"Run the reference fan-out server (plain coder/websocket) that ticker is compared against."`
	Compare   compareCmd   `cmd:"" help:"Compare load reports (feedsim load --json): the rawserver's against ticker's."`
	Sub       subCmd       `cmd:"" help:"Subscribe and watch: a live table of quotes and scores on a terminal, one JSON message per line when piped."`
	LoadChild loadChildCmd `cmd:"" name:"load-child" hidden:"" help:"The child process of load --procs (internal)."`
}

// newParser builds the command line parser for c; the options are added
// (bindings, writers, exit handling).
func newParser(c *cli, opts ...kong.Option) (*kong.Kong, error) {
	opts = append([]kong.Option{
		kong.Name("feedsim"),
		kong.Description("Feed simulator for ticker: publishes simulated stock quotes and live game scores to NATS as msgpack."),
		kong.UsageOnError(),
	}, opts...)
	return kong.New(c, opts...)
}

// bind gives the commands' Run methods what they take: the context, which
// the first SIGINT or SIGTERM cancels, and the writer for their output.
func bind(ctx context.Context, out io.Writer) []kong.Option {
	return []kong.Option{
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.BindTo(out, (*io.Writer)(nil)),
	}
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))

	// The first SIGINT or SIGTERM stops the command gracefully; a second one,
	// with the default handling restored, kills it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	var c cli
	parser, err := newParser(&c, bind(ctx, os.Stdout)...)
	if err != nil {
		panic(err) // a bad cli struct: a programming error
	}
	kctx, err := parser.Parse(os.Args[1:])
	parser.FatalIfErrorf(err) // a usage error: prints usage, exits 80
	if err := kctx.Run(); err != nil {
		stop()
		fmt.Fprintf(os.Stderr, "feedsim: error: %v\n", err)
		os.Exit(1)
	}
}
