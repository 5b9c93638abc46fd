package codec

// Quote is the full state of one instrument, published on quotes.<SYMBOL>.
type Quote struct {
	Symbol string  `msgpack:"symbol" json:"symbol"`
	Bid    float64 `msgpack:"bid" json:"bid"`
	Ask    float64 `msgpack:"ask" json:"ask"`
	Last   float64 `msgpack:"last" json:"last"`
	Size   int64   `msgpack:"size" json:"size"`
	Volume int64   `msgpack:"volume" json:"volume"`
	Seq    uint64  `msgpack:"seq" json:"seq"` // +1 per subject at the publisher
	TS     int64   `msgpack:"ts" json:"ts"`   // publish time, Unix nanoseconds
}

// QuoteSubject is the NATS subject of a symbol's quotes.
func QuoteSubject(symbol string) string { return "quotes." + symbol }
