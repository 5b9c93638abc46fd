package publish

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ticker-dev/ticker/internal/loadgen/wire"
)

// Pacing of the publisher: every tick it publishes what is due by then, so
// rates from a few to a million updates a second hold. When it falls behind
// (a starved process) it catches up on at most maxBehind worth of updates and
// forgives the rest.
const (
	pubTick   = time.Millisecond
	maxBehind = 100 * time.Millisecond
)

// Publisher publishes quote updates round robin over the load's subjects at
// a total rate, with seq +1 per subject and ts the publish time.
type Publisher struct {
	pub     func(subject string, data []byte) error
	names   []string
	symbols []string
	seq     []atomic.Uint64 // last seq published, by subject; read by others
	rate    float64
	buf     []byte
	next    int

	published atomic.Uint64
	errors    atomic.Uint64
}

// New returns a publisher of rate updates a second over subjects subjects
// under prefix (see wire.SubjectName), each published with pub (NATS's
// Publish in a run).
func New(pub func(subject string, data []byte) error, prefix string, subjects int, rate float64) *Publisher {
	p := &Publisher{pub: pub, rate: rate, seq: make([]atomic.Uint64, subjects), buf: make([]byte, 0, 256)}
	for i := range subjects {
		name := wire.SubjectName(prefix, i)
		p.names = append(p.names, name)
		p.symbols = append(p.symbols, name[strings.LastIndexByte(name, '.')+1:])
	}
	return p
}

// LastSeq is the last seq published on subject s, as of now; it may be called
// while the publisher runs.
func (p *Publisher) LastSeq(s int) uint64 { return p.seq[s].Load() }

// FinalSeqs are the last seqs published, by subject.
func (p *Publisher) FinalSeqs() []uint64 {
	out := make([]uint64, len(p.seq))
	for i := range p.seq {
		out[i] = p.seq[i].Load()
	}
	return out
}

// Published counts the updates published so far.
func (p *Publisher) Published() uint64 { return p.published.Load() }

// Errors counts the publishes that failed so far.
func (p *Publisher) Errors() uint64 { return p.errors.Load() }

// Run publishes until d has passed or ctx is done, and returns how long it
// ran.
func (p *Publisher) Run(ctx context.Context, d time.Duration) time.Duration {
	t := time.NewTicker(pubTick)
	defer t.Stop()
	start := time.Now()
	end := start.Add(d)
	var due float64 // updates owed since start, the ones published included
	var done float64
	last := start
	for {
		now := time.Now()
		if !now.Before(end) {
			return end.Sub(start)
		}
		due += p.rate * now.Sub(last).Seconds()
		last = now
		if behind := due - done; behind > p.rate*maxBehind.Seconds()+1 {
			done = due - p.rate*maxBehind.Seconds()
		}
		for n := 0; done+1 <= due; n++ {
			if n&1023 == 1023 && ctx.Err() != nil {
				return time.Since(start)
			}
			p.publishNext()
			done++
		}
		select {
		case <-ctx.Done():
			return time.Since(start)
		case <-t.C:
		}
	}
}

// publishNext publishes the next subject's update.
func (p *Publisher) publishNext() {
	s := p.next
	p.next++
	if p.next == len(p.names) {
		p.next = 0
	}
	seq := p.seq[s].Load() + 1
	p.buf = AppendQuote(p.buf[:0], p.symbols[s], seq, time.Now().UnixNano())
	if err := p.pub(p.names[s], p.buf); err != nil {
		p.errors.Add(1) // the seq is used again by the next update
		return
	}
	p.published.Add(1)
	p.seq[s].Store(seq)
}
