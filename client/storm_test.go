package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
	"github.com/ticker-dev/ticker/internal/app"
)

// TestAGatewayInAStormRefusesWithAHintTheClientReads: a gateway past its
// accept rate closes the client's connection with 1013 and "retry after
// <N>ms"; the client reads the hint, reports it, and waits within it rather
// than the policy floor. (That the next attempt goes to another URL is
// storm_internal_test.go's: here the hint is a minute long.)
func TestAGatewayInAStormRefusesWithAHintTheClientReads(t *testing.T) {
	natsURL := startNATS(t)
	// One new connection every 100 s, and the one of the burst taken below.
	busy := pod(t, natsURL, func(c *app.Config) { c.Limits.AcceptRate, c.Limits.AcceptBurst = 0.01, 1 })
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	first, err := client.Dial(ctx, busy.URL, client.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.CloseNow() })

	rec := newRecorder()
	c := newClient(t, rec.options(client.Options{URLs: []string{busy.URL},
		Backoff: client.Backoff{Base: time.Millisecond, Cap: time.Millisecond}}))
	subscribe(t, c, "quotes.AAPL")
	run(t, c)
	e := rec.eventsFrom(rec.waitEvent(t, 0, client.Closed, busy.URL))[0]
	if e.Code != client.StatusTryAgainLater || e.Final || e.RetryHint < time.Second || e.RetryHint > time.Minute ||
		e.RetryIn < 0 || e.RetryIn > e.RetryHint {
		t.Errorf("closed with %d %q final %v, hint %v, retry in %v; want 1013 with a hint of 1 s to 60 s and a wait within it",
			e.Code, e.Reason, e.Final, e.RetryHint, e.RetryIn)
	}
}
