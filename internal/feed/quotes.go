package feed

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/ticker-dev/ticker/internal/codec"
)

// knownSymbols are the feed's first symbols, with a realistic price to start
// the random walk from.
var knownSymbols = [...]struct {
	sym   string
	price float64
}{
	{"AAPL", 228}, {"MSFT", 420}, {"NVDA", 125}, {"AMZN", 185}, {"GOOGL", 165},
	{"META", 560}, {"TSLA", 240}, {"AVGO", 170}, {"JPM", 215}, {"LLY", 880},
	{"V", 285}, {"UNH", 590}, {"XOM", 118}, {"MA", 495}, {"JNJ", 160},
	{"PG", 170}, {"HD", 395}, {"COST", 890}, {"ORCL", 170}, {"MRK", 108},
	{"ABBV", 195}, {"CVX", 150}, {"KO", 70}, {"PEP", 170}, {"BAC", 41},
	{"NFLX", 700}, {"CRM", 280}, {"AMD", 155}, {"ADBE", 510}, {"WMT", 80},
	{"TMO", 600}, {"MCD", 295}, {"CSCO", 52}, {"ACN", 350}, {"LIN", 470},
	{"ABT", 115}, {"INTC", 23}, {"DIS", 95}, {"QCOM", 165}, {"TXN", 200},
	{"IBM", 220}, {"CAT", 380}, {"GE", 180}, {"AMGN", 320}, {"VZ", 42},
	{"T", 22}, {"PFE", 29}, {"NKE", 80}, {"SBUX", 97}, {"BA", 155},
}

// symbol is the i-th symbol (0-based): a fixed list of real-looking US
// tickers, then generated ones (S0051, S0052, ...). Every symbol is a valid
// subject token ([A-Za-z0-9_-]+).
func symbol(i int) string {
	if i < len(knownSymbols) {
		return knownSymbols[i].sym
	}
	s := strconv.Itoa(i + 1)
	for len(s) < 4 {
		s = "0" + s
	}
	return "S" + s
}

// Random walk parameters. Prices move in log space by a normal step each
// update, pulled back gently toward the start price so that a feed running for
// weeks still shows realistic prices.
const (
	stepSigma  = 0.0004 // standard deviation of one update's relative move (4 bp)
	meanRevert = 0.0002 // share of the log distance to the start price undone per update (stationary sd 2%)
	minCents   = 100    // price floor, $1.00
)

// quote is the state of one symbol's random walk.
type quote struct {
	subject  string
	q        codec.Quote // the full state published, Seq and TS included
	logStart float64     // log of the start price, the walk's anchor
	logPrice float64     // log of the current price, unrounded
}

// newQuote starts the i-th symbol's walk.
func newQuote(i int, rng *rand.Rand) quote {
	sym := symbol(i)
	var price float64
	if i < len(knownSymbols) {
		price = knownSymbols[i].price * (1 + 0.04*(rng.Float64()-0.5)) // ±2%
	} else {
		price = math.Exp(math.Log(5) + rng.Float64()*(math.Log(500)-math.Log(5))) // 5..500, log-uniform
	}
	q := quote{
		subject:  codec.QuoteSubject(sym),
		q:        codec.Quote{Symbol: sym, Volume: 100_000 + rng.Int64N(5_000_000)},
		logStart: math.Log(price),
		logPrice: math.Log(price),
	}
	q.setPrices(rng)
	return q
}

// step moves the quote one update along its walk: a new last trade with a
// random size, added to the volume, and a fresh bid and ask around it.
func (q *quote) step(rng *rand.Rand) {
	q.logPrice += rng.NormFloat64()*stepSigma - meanRevert*(q.logPrice-q.logStart)
	q.setPrices(rng)
	if rng.IntN(5) == 0 {
		q.q.Size = 1 + rng.Int64N(99) // odd lot
	} else {
		q.q.Size = 100 * (1 + rng.Int64N(10))
	}
	q.q.Volume += q.q.Size
}

// setPrices sets Last from logPrice, rounded to the cent, and puts Bid and Ask
// one or more cents either side, so Bid < Last < Ask always holds exactly.
func (q *quote) setPrices(rng *rand.Rand) {
	last := max(int64(math.Round(math.Exp(q.logPrice)*100)), minCents)
	wide := 1 + last/20_000 // up to one more cent of half-spread per $200 of price
	bid := last - 1 - rng.Int64N(wide)
	ask := last + 1 + rng.Int64N(wide)
	q.q.Last = float64(last) / 100
	q.q.Bid = float64(bid) / 100
	q.q.Ask = float64(ask) / 100
}
