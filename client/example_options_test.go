package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// A quote table that needs at most 4 updates per second per symbol, as
// field deltas; the client merges every delta onto the last full quote, so
// OnUpdate always gets a whole Quote. A delta that does not follow is
// reported as a Resync event (never delivered) and the client subscribes
// again for a snapshot. A gateway without these features ignores both keys.
func ExampleClient_SubscribeWith() {
	gateway := exampleGateway()
	defer gateway.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.New(client.Options{
		URLs: []string{gateway.URL},
		OnUpdate: func(u client.Update) {
			if q := u.Quote; q != nil {
				fmt.Printf("%s last %.2f volume %d\n", q.Symbol, q.Last, q.Volume)
				cancel()
			}
		},
		OnEvent: func(e client.Event) {
			var de *client.DeltaError
			switch {
			case e.State == client.Resync && errors.As(e.Err, &de):
				log.Printf("resync %s: %v", e.Subject, de)
			case e.State == client.Revoked:
				log.Printf("no longer granted: %v", e.Patterns)
			case e.State == client.TokenRefused:
				log.Printf("token refresh: %v (retry in %v)", e.Err, e.RetryIn)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.SubscribeWith(client.SubscribeOptions{MaxRate: 4, Delta: true}, "quotes.>"); err != nil {
		log.Fatal(err)
	}
	if err := c.Run(ctx); err != nil {
		log.Fatal(err)
	}
	// Output: AAPL last 189.13 volume 1234567
}
