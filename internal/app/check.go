package app

import (
	"errors"
	"fmt"

	"github.com/ticker-dev/ticker/internal/auth"
	"github.com/ticker-dev/ticker/internal/gateway"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// checkConfig checks what the configuration must get right before anything
// starts, naming the flag at fault, and keeps what it parsed: the
// subscription policy and the JWT verifier.
func (a *App) checkConfig() error {
	cfg := a.cfg
	allow, err := subscribe.NewAllow(cfg.Allow)
	if err != nil {
		return fmt.Errorf("--allow: %w", err)
	}
	if err := gateway.ValidateOrigins(cfg.AllowedOrigins); err != nil {
		return fmt.Errorf("--allowed-origins: %w", err)
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if a.verifier, err = auth.New(cfg.Auth); err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	if r := cfg.MaxRate; !subscribe.ValidRate(r) {
		return fmt.Errorf("--max-rate: %v is not from 0 (no cap) to %d", r, subscribe.MaxRate)
	}
	if a.compression, err = gateway.ParseCompression(cfg.Compression); err != nil {
		return fmt.Errorf("--compression: %w", err)
	}
	a.policy = subscribe.Policy{Allow: allow, MaxSubs: cfg.MaxSubs, MaxRate: cfg.MaxRate}
	return nil
}
