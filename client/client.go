package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Client keeps a subscription to a ticker gateway: it connects, subscribes
// every held pattern, reconnects with backoff when the connection ends and
// subscribes again. Its methods are safe for concurrent use, also from the
// callbacks.
type Client struct {
	opts  Options
	mb    *mailbox
	stats counters

	mu      sync.Mutex
	reg     *registry
	cur     *session // the open connection, nil between connections
	closed  bool     // Run has ended
	changed chan struct{}

	lastURL string         // Run's goroutine only: the URL of the last attempt
	random  func() float64 // uniform in [0, 1): the jitter of waits, the choice of URLs

	started atomic.Bool
}

// New makes a client; Run connects it. Subscribe may be called before Run.
func New(opts Options) (*Client, error) {
	opts, err := opts.check()
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, reg: newRegistry(), changed: make(chan struct{}, 1), random: jitter}
	c.mb = newMailbox(opts.MaxPending, &c.stats)
	return c, nil
}

// Subscribe adds patterns (see CheckPattern): their snapshots, then their
// updates, arrive at OnUpdate. The patterns are held until Unsubscribe and
// are subscribed again after every reconnect. It returns an error for a
// pattern that breaks the subject rules, without asking the server; a
// refusal of the server (forbidden, too_many_subscriptions) comes as an
// Event with State Refused, and drops the patterns of this call.
func (c *Client) Subscribe(patterns ...string) error {
	return c.SubscribeWith(SubscribeOptions{}, patterns...)
}

// SubscribeWith is Subscribe with options for the server.
func (c *Client) SubscribeWith(opts SubscribeOptions, patterns ...string) error {
	if len(patterns) == 0 {
		return errors.New("ticker client: subscribe needs a pattern")
	}
	for _, p := range patterns {
		if err := CheckPattern(p); err != nil {
			return fmt.Errorf("ticker client: %w", err)
		}
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	rec := c.reg.add(patterns, opts)
	s := c.cur
	var ops []outOp
	if s != nil {
		ops = c.reg.subOps([]*record{rec}, false)
	}
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
	if s != nil {
		s.send(ops)
	}
	return nil
}

// Unsubscribe drops patterns from every Subscribe call that holds them; the
// server is told about the patterns no call holds any more.
func (c *Client) Unsubscribe(patterns ...string) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	op, changed := c.reg.remove(patterns)
	held := c.reg.held()
	s := c.cur
	c.mu.Unlock()
	if !changed {
		return nil
	}
	c.mb.forget(func(subject string) bool { return anyMatches(held, subject) })
	if s != nil {
		s.send([]outOp{op})
	}
	return nil
}

func anyMatches(patterns []string, subject string) bool {
	for _, p := range patterns {
		if matches(p, subject) {
			return true
		}
	}
	return false
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats { return c.stats.snapshot() }

// Run connects and keeps the client connected until ctx is done, then
// returns nil; or until the gateway refuses it in a way reconnecting cannot
// mend (a missing or invalid token, an expired one without TokenFunc, an
// origin not allowed), and returns that *CloseError. It returns once
// OnUpdate and OnEvent have returned for the last time. Run can be called
// once; while the client holds no pattern it waits without a connection.
func (c *Client) Run(ctx context.Context) error {
	if !c.started.CompareAndSwap(false, true) {
		return ErrClosed
	}
	dispatched := make(chan struct{})
	go c.dispatch(dispatched)
	err := c.loop(ctx)
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	if err == nil { // cancelled: what waits is not wanted any more
		c.mb.dropUpdates()
		c.emit(Event{State: Closed, URL: c.lastURL, Code: StatusNormal, Reason: "closed by client", Final: true})
	}
	c.mb.close()
	<-dispatched
	return err
}

// loop is Run's connect, wait, reconnect cycle.
func (c *Client) loop(ctx context.Context) error {
	attempt, cur := 0, 0
	for {
		if !c.waitForPatterns(ctx) {
			return nil
		}
		url := c.opts.URLs[cur]
		c.lastURL = url
		c.emit(Event{State: Connecting, URL: url, Attempt: attempt})
		openedAt, ce := c.connect(ctx, url, attempt)
		if ctx.Err() != nil {
			return nil
		}
		if !openedAt.IsZero() && time.Since(openedAt) >= c.opts.Backoff.StableAfter {
			attempt = 0
		}
		if final(ce, c.opts.TokenFunc != nil) {
			c.emit(Event{State: Closed, URL: url, Attempt: attempt, Code: ce.Code, Reason: ce.Reason, Final: true, Err: ce})
			return ce
		}
		wait := c.opts.Backoff.delay(ce.Code, ce.Reason, attempt, c.random)
		var hint time.Duration
		if ce.Code == StatusTryAgainLater {
			hint, _ = retryHint(ce.Reason)
		}
		attempt++
		cur = nextURL(cur, len(c.opts.URLs), ce.Code, c.random)
		c.emit(Event{State: Closed, URL: url, Attempt: attempt, Code: ce.Code, Reason: ce.Reason, RetryIn: wait, RetryHint: hint, Err: ce})
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
	}
}

// waitForPatterns waits until some pattern is held; false when ctx ended
// first.
func (c *Client) waitForPatterns(ctx context.Context) bool {
	for {
		c.mu.Lock()
		n := len(c.reg.records)
		c.mu.Unlock()
		if n > 0 {
			return ctx.Err() == nil
		}
		select {
		case <-c.changed:
		case <-ctx.Done():
			return false
		}
	}
}

// connect makes one connection to url and serves it until it ends. It
// returns when the connection opened (zero if it did not) and how it ended.
func (c *Client) connect(ctx context.Context, url string, attempt int) (time.Time, *CloseError) {
	token := c.opts.Token
	if c.opts.TokenFunc != nil {
		t, err := c.opts.TokenFunc(ctx)
		if err != nil {
			return time.Time{}, &CloseError{URL: url, Code: StatusAbnormal, Reason: "token: " + err.Error(), err: err}
		}
		token = t
	}
	dctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	conn, err := Dial(dctx, url, DialOptions{Codec: c.opts.Codec, Token: token, Header: c.opts.Header, HTTPClient: c.opts.HTTPClient})
	cancel()
	if err != nil {
		var hr *httpRefusal
		if errors.As(err, &hr) {
			if hint, ok := retryAfterHeader(hr.retryAfter); ok {
				return time.Time{}, &CloseError{URL: url, Code: StatusTryAgainLater, Reason: hintReason(hr.status, hint), err: err}
			}
		}
		reason := err.Error()
		if inner := errors.Unwrap(err); inner != nil {
			reason = inner.Error() // without Dial's "dial <url>:", which CloseError says
		}
		return time.Time{}, &CloseError{URL: url, Code: StatusAbnormal, Reason: reason, err: err}
	}
	c.stats.opened.Add(1)
	openedAt := time.Now()
	return openedAt, newSession(c, conn, attempt, token).run(ctx)
}

// emit queues ev for OnEvent.
func (c *Client) emit(ev Event) {
	if c.opts.OnEvent != nil {
		c.mb.putEvent(ev)
	}
}

// dispatch calls the callbacks with what the mailbox holds until it is
// closed and empty.
func (c *Client) dispatch(done chan<- struct{}) {
	defer close(done)
	for {
		it, ok := c.mb.take()
		if !ok {
			if c.mb.done() {
				return
			}
			<-c.mb.wake
			continue
		}
		if it.event {
			c.opts.OnEvent(it.ev)
			continue
		}
		c.stats.delivered.Add(1)
		c.stats.gaps.Add(it.u.Gap)
		c.opts.OnUpdate(it.u)
	}
}
