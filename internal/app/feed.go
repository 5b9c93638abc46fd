package app

import (
	"context"

	"github.com/ticker-dev/ticker/internal/feed"
)

// startFeed runs the built-in simulated feed, when the configuration wants
// it, publishing on the bus's connection until close.
func (a *App) startFeed() error {
	if !a.cfg.feedOn() {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stopFeed = cancel
	nc := a.bus.Conn()
	opts := feed.Options{Symbols: a.cfg.FeedSymbols, Games: a.cfg.FeedGames, Rate: a.cfg.FeedRate}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		stats, err := feed.Run(ctx, nc.Publish, opts)
		a.log.Info("built-in feed stopped", "published", stats.Published, "errors", stats.Errors, "err", err)
	}()
	a.log.Info("built-in feed publishing", "subjects", "quotes.<SYMBOL>,scores.<league>.<game>",
		"symbols", opts.Symbols, "games", opts.Games, "rate", opts.Rate)
	return nil
}
