package app

import "github.com/ticker-dev/ticker/internal/fanout"

// Hub is the broadcast core, for tests that look inside.
func (a *App) Hub() *fanout.Hub { return a.hub }
