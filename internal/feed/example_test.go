package feed_test

import (
	"fmt"

	"github.com/ticker-dev/ticker/internal/feed"
)

func ExampleSymbols() {
	fmt.Println(feed.Symbols(5))
	fmt.Println(feed.Symbols(52)[50:])
	// Output:
	// [AAPL MSFT NVDA AMZN GOOGL]
	// [S0051 S0052]
}
