package feed

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
)

// publishFunc sends one update's msgpack payload on a NATS subject; see Run.
type publishFunc func(subject string, data []byte) error

// Options configure Run. The zero value is a valid configuration.
type Options struct {
	Symbols int      // number of quote symbols, at most 1<<20; 0 means 50, negative means none
	Games   int      // number of live games spread over Leagues, at most 1<<20; 0 means 6, negative means none
	Leagues []string // nil means {"nba", "nhl"}; unknown leagues get generic teams and rules
	Rate    float64  // total updates per second over all subjects; 0 means 200
	Seed    int64    // random seed; 0 means time-based

	// Logger receives the (rate-limited) publish error reports; nil means slog.Default().
	Logger *slog.Logger
}

// What the zero fields of Options mean.
const (
	defaultSymbols = 50
	defaultGames   = 6
	defaultRate    = 200
)

// maxSubjects bounds Options.Symbols and Options.Games: Run allocates the
// state of every subject up front, and a typo such as --symbols 1e9 must be
// an error, not an out-of-memory crash.
const maxSubjects = 1 << 20

// defaultLeagues is what a nil Options.Leagues means; never modified.
var defaultLeagues = []string{"nba", "nhl"}

// withDefaults fills in the zero fields and validates the result.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Symbols == 0:
		o.Symbols = defaultSymbols
	case o.Symbols < 0:
		o.Symbols = 0
	}
	switch {
	case o.Games == 0:
		o.Games = defaultGames
	case o.Games < 0:
		o.Games = 0
	}
	if o.Leagues == nil {
		o.Leagues = defaultLeagues
	}
	if o.Rate == 0 {
		o.Rate = defaultRate
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0) {
		return o, fmt.Errorf("feed: rate %v is not a positive number", o.Rate)
	}
	if o.Games > 0 && len(o.Leagues) == 0 {
		return o, errors.New("feed: games need at least one league")
	}
	for _, l := range o.Leagues {
		if !validToken(l) {
			return o, fmt.Errorf("feed: league %q is not a subject token ([A-Za-z0-9_-]+)", l)
		}
	}
	if o.Symbols > maxSubjects || o.Games > maxSubjects {
		return o, fmt.Errorf("feed: %d symbols and %d games: at most %d of each", o.Symbols, o.Games, maxSubjects)
	}
	if o.Symbols == 0 && o.Games == 0 {
		return o, errors.New("feed: nothing to publish (no symbols and no games)")
	}
	return o, nil
}

// validToken reports whether s is one NATS subject token of [A-Za-z0-9_-].
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
