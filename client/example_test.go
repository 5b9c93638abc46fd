package client_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// Keep the quotes of a few symbols on screen. The gateway here is an
// in-process ticker where AAPL last traded at 189.13; the client gets that
// as a snapshot at once.
func Example() {
	gateway := exampleGateway()
	defer gateway.Close()
	url := gateway.URL // e.g. "ws://localhost:8080/ws"

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.New(client.Options{
		URLs: []string{url}, // one gateway, or several to go round
		OnUpdate: func(u client.Update) {
			if q := u.Quote; q != nil {
				fmt.Printf("%s last %.2f bid %.2f ask %.2f snapshot %v\n", q.Symbol, q.Last, q.Bid, q.Ask, u.Snapshot)
				cancel() // one is enough for this example
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Subscribe("quotes.AAPL", "scores.nba.*"); err != nil {
		log.Fatal(err)
	}
	if err := c.Run(ctx); err != nil { // until ctx ends, reconnecting as needed
		log.Fatal(err)
	}
	// Output: AAPL last 189.13 bid 189.12 ask 189.14 snapshot true
}

// Follow the connection's state. Subscribed comes once the snapshots of
// what is held have been delivered.
func ExampleOptions_onEvent() {
	gateway := exampleGateway()
	defer gateway.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.New(client.Options{
		URLs:  []string{gateway.URL},
		Codec: client.Msgpack,
		OnUpdate: func(u client.Update) {
			fmt.Println("update", u.Subject, u.Seq, "snapshot", u.Snapshot)
		},
		OnEvent: func(e client.Event) {
			switch e.State {
			case client.Open:
				fmt.Println(e.State, e.Codec)
			case client.Subscribed:
				fmt.Println(e.State, e.Patterns)
				cancel()
			case client.Closed:
				fmt.Println(e.State, e.Code, e.Reason, "final", e.Final)
			default:
				fmt.Println(e.State)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Subscribe("quotes.AAPL"); err != nil {
		log.Fatal(err)
	}
	if err := c.Run(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// connecting
	// open msgpack
	// update quotes.AAPL 42 snapshot true
	// subscribed [quotes.AAPL]
	// closed 1000 closed by client final true
}

// Speak the protocol directly: one connection, one message at a time.
func ExampleDial() {
	gateway := exampleGateway()
	defer gateway.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := client.Dial(ctx, gateway.URL, client.DialOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Sub(ctx, 1, "quotes.AAPL"); err != nil {
		log.Fatal(err)
	}
	for range 2 { // the ack, then the snapshot
		m, err := conn.Next(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\n", m.Raw)
	}
	// Output:
	// {"op":"ack","id":1}
	// {"op":"msg","subject":"quotes.AAPL","snapshot":true,"data":{"symbol":"AAPL","bid":189.12,"ask":189.14,"last":189.13,"size":100,"volume":1234567,"seq":42,"ts":1732350000123456789}}
}

// exampleGateway starts an in-process ticker that holds one quote.
func exampleGateway() *gateway {
	g, err := startGateway("", nil)
	if err != nil {
		log.Fatal(err)
	}
	p, err := newPublisher(g.App.NATSURL())
	if err != nil {
		log.Fatal(err)
	}
	defer p.nc.Close()
	q := quote("AAPL", 189.13, 42)
	q.Volume, q.TS = 1234567, exampleTS
	if err := p.store("quotes.AAPL", &q); err != nil {
		log.Fatal(err)
	}
	return g
}
