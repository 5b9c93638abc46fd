package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Options configure a Client. Only URLs is required; every other field
// works at its zero value.
type Options struct {
	// URLs are the gateway's WebSocket endpoints (ws:// or wss://, path
	// /ws): one, or several pods or regions. The first attempt goes to the
	// first; after each connection ends the next one in turn is tried,
	// except after 1001 (a drain) and 1013 (a refusal): then one of the
	// others at random, so that the clients of a drained or overloaded pod
	// spread over the rest.
	URLs []string
	// Codec is the encoding to ask for: JSON (the zero value) or Msgpack.
	Codec Codec

	// Token is a JWT, sent as "Authorization: Bearer" on every connection.
	Token string
	// TokenFunc, when set, is called before every connection attempt for a
	// fresh token (an empty one sends none); it wins over Token. An error
	// fails that attempt, which is retried with backoff. It is also called
	// on an open connection ahead of the token's exp (read from the JWT
	// without verifying it), at a random point between 75% and 90% of its
	// remaining lifetime so that many clients do not refresh in the same
	// second; the new token goes as {"op":"auth"}. A refusal (bad_token) or
	// an error is reported as a TokenRefused event and retried with backoff
	// until exp; a gateway too old for the auth op closes the connection at
	// exp, and the client reconnects with a new token.
	TokenFunc func(ctx context.Context) (string, error)

	// OnUpdate gets every update, on a goroutine of the client's own, one at
	// a time, in the order they arrived per subject. While it is busy the
	// updates that arrive wait, conflated per subject: a newer update of a
	// subject replaces the one waiting (Update.Conflated counts them), so a
	// slow OnUpdate sees fewer, current updates and never holds up the
	// connection. Nil ignores updates.
	OnUpdate func(Update)
	// OnEvent gets every change of state (see State), on the same goroutine
	// as OnUpdate and in order with the updates: Subscribed comes after the
	// snapshots it covers. Nil ignores events.
	OnEvent func(Event)
	// MaxPending is how many subjects may have an update waiting for
	// OnUpdate; 0 means 4096. An update for one more subject is dropped and
	// counted (Stats.Dropped); the next update of that subject delivered
	// shows what was lost in its Gap.
	MaxPending int

	Backoff Backoff
	// DialTimeout bounds each connection attempt; 0 means 10s.
	DialTimeout time.Duration
	// IdleTimeout: after 3/5 of it without a frame the client sends a ping;
	// after all of it the connection is given up as half-open (code 4000)
	// and the client reconnects. 0 means 25s; negative, never.
	IdleTimeout time.Duration

	Header     http.Header  // more request headers
	HTTPClient *http.Client // e.g. one trusting a private CA for wss://
}

// Defaults of the zero fields.
const (
	defaultMaxPending  = 4096
	defaultDialTimeout = 10 * time.Second
	defaultIdleTimeout = 25 * time.Second
)

// check validates o and fills in the defaults.
func (o Options) check() (Options, error) {
	if len(o.URLs) == 0 {
		return o, errors.New("ticker client: no URL")
	}
	for _, s := range o.URLs {
		u, err := url.Parse(s)
		if err != nil {
			return o, fmt.Errorf("ticker client: URL %q: %w", s, err)
		}
		if u.Scheme != "ws" && u.Scheme != "wss" {
			return o, fmt.Errorf("ticker client: URL %q: want ws:// or wss://", s)
		}
	}
	if o.Codec != JSON && o.Codec != Msgpack {
		return o, fmt.Errorf("ticker client: unknown codec %d", o.Codec)
	}
	o.URLs = append([]string(nil), o.URLs...)
	if o.MaxPending <= 0 {
		o.MaxPending = defaultMaxPending
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = defaultDialTimeout
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = defaultIdleTimeout
	}
	o.Backoff = o.Backoff.withDefaults()
	return o, nil
}
