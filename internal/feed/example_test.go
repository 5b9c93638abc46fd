package feed_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/feed"
)

// Run publishes every subject once a round, in a new random order each round;
// here two quotes, for two rounds.
func ExampleRun() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var got []string
	publish := func(subject string, data []byte) error {
		var q codec.Quote
		if err := msgpack.Unmarshal(data, &q); err != nil {
			return err
		}
		if len(got) < 4 {
			got = append(got, fmt.Sprintf("%s %s seq %d", subject, q.Symbol, q.Seq))
		}
		if len(got) == 4 {
			stop()
		}
		return nil
	}
	if _, err := feed.Run(ctx, publish, feed.Options{Symbols: 2, Games: -1, Rate: 1000}); err != nil {
		fmt.Println(err)
	}
	slices.Sort(got)
	for _, s := range got {
		fmt.Println(s)
	}
	// Output:
	// quotes.AAPL AAPL seq 1
	// quotes.AAPL AAPL seq 2
	// quotes.MSFT MSFT seq 1
	// quotes.MSFT MSFT seq 2
}
