package feed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// Stats count what Run did.
type Stats struct {
	Published uint64 // updates pub accepted
	Errors    uint64 // updates pub failed
}

// Pacing. A ticker wakes the loop every tick and it publishes what is due by
// then, so the rate holds from a few updates a second to hundreds of
// thousands. When the loop falls behind (a slow pub, a starved process) it
// catches up on at most maxBacklog worth of updates and forgives the rest,
// rather than bursting for as long as it was stalled.
const (
	tick       = 10 * time.Millisecond
	maxBacklog = 500 * time.Millisecond
)

// Run publishes updates through pub until ctx is done, then returns what it
// published and a nil error. It returns an error at once only for invalid
// options. A failing pub is counted in Stats.Errors and logged at most once
// a second; it does not stop the feed.
//
// The rate is shared evenly by all subjects: every round publishes each quote
// and each game once, in a new random order. Seq counts every attempt, so an
// update that pub failed leaves a gap in its subject's sequence.
//
// pub sends one update's msgpack payload on a NATS subject. Run calls it from
// its own goroutine only, one update at a time, and reuses the payload
// buffer: pub must not retain data after it returns. (nats.go's Conn.Publish
// copies the payload, so it can be passed as is.)
func Run(ctx context.Context, pub func(subject string, data []byte) error, opts Options) (Stats, error) {
	if pub == nil {
		return Stats{}, errors.New("feed: nil publish function")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return Stats{}, err
	}
	f := newFeed(o, time.Now())
	return f.run(ctx, pub), nil
}

// feed is the state of one Run; it is not safe for concurrent use.
type feed struct {
	rng    *rand.Rand
	quotes []quote
	games  []game
	order  []int32 // a permutation of subjects: quotes, then games
	next   int     // the position in order of the next update

	buf bytes.Buffer
	enc *msgpack.Encoder

	rate     float64
	stats    Stats
	log      *slog.Logger
	lastLog  time.Time
	unlogged uint64 // errors since the last log line
}

func newFeed(o Options, now time.Time) *feed {
	seed := uint64(o.Seed)
	if seed == 0 {
		seed = uint64(now.UnixNano())
	}
	f := &feed{
		rng:  rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		rate: o.Rate,
		log:  o.Logger,
	}
	f.enc = msgpack.NewEncoder(&f.buf)
	f.quotes = make([]quote, o.Symbols)
	for i := range f.quotes {
		f.quotes[i] = newQuote(i, f.rng)
	}
	f.newGames(o, now)
	f.order = make([]int32, len(f.quotes)+len(f.games))
	for i := range f.order {
		f.order[i] = int32(i)
	}
	f.next = len(f.order) // shuffle before the first update
	return f
}

// run is the pacing loop of Run.
func (f *feed) run(ctx context.Context, pub publishFunc) Stats {
	t := time.NewTicker(tick)
	defer t.Stop()
	maxCredit := max(1, f.rate*maxBacklog.Seconds())
	credit := 1.0 // the first update goes out at once
	last := time.Now()
	for {
		for n := 0; credit >= 1; n++ {
			if n&63 == 0 && ctx.Err() != nil {
				return f.stats
			}
			f.publishNext(pub, time.Now())
			credit--
		}
		select {
		case <-ctx.Done():
			return f.stats
		case <-t.C:
		}
		now := time.Now()
		credit = min(credit+f.rate*now.Sub(last).Seconds(), maxCredit)
		last = now
	}
}

// publishNext moves the next subject in the round on and publishes its state
// as of now.
func (f *feed) publishNext(pub publishFunc, now time.Time) {
	if f.next == len(f.order) {
		f.rng.Shuffle(len(f.order), func(i, j int) { f.order[i], f.order[j] = f.order[j], f.order[i] })
		f.next = 0
	}
	i := int(f.order[f.next])
	f.next++

	var subject string
	var err error
	f.buf.Reset()
	if i < len(f.quotes) {
		q := &f.quotes[i]
		q.step(f.rng)
		q.q.Seq++
		q.q.TS = now.UnixNano()
		subject = q.subject
		err = f.enc.Encode(&q.q)
	} else {
		g := &f.games[i-len(f.quotes)]
		f.advance(g, now)
		g.s.Seq++
		g.s.TS = now.UnixNano()
		subject = g.subject
		err = f.enc.Encode(&g.s)
	}
	if err == nil {
		err = pub(subject, f.buf.Bytes())
	}
	if err != nil {
		f.failed(subject, err, now)
		return
	}
	f.stats.Published++
}

// failed counts a failed update and logs it, at most once a second.
func (f *feed) failed(subject string, err error, now time.Time) {
	f.stats.Errors++
	f.unlogged++
	if now.Sub(f.lastLog) < time.Second {
		return
	}
	f.log.Warn("feed: publish failed", "subject", subject, "err", err,
		"failed", f.unlogged, "failed_total", f.stats.Errors)
	f.lastLog = now
	f.unlogged = 0
}
