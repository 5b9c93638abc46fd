package fleet

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticker-dev/ticker/internal/loadgen/report"
	"github.com/ticker-dev/ticker/internal/loadgen/wire"
)

// Fleet is the subscriber connections of one process.
type Fleet struct {
	cfg    Config
	parser wire.Parser
	cs     connSubjects
	lat    *latencies
	conns  []*conn

	clients    []*http.Client // one per source address
	transports []*http.Transport
	socketRead []*atomic.Uint64 // bytes read from the sockets, per source address

	// pubSeq is the last seq published on a subject, as of now, to count
	// what a connection the server closed had lost. Nil in a child process,
	// which does not see the publisher: there, such a connection loses
	// nothing.
	pubSeq func(subject int) uint64

	wg         sync.WaitGroup // connection goroutines
	ready      sync.WaitGroup // one Done per started connection: subscribed or failed
	readyDone  chan struct{}
	closing    atomic.Bool
	closed     chan struct{} // closed with closing set, for waits to end
	closeOnce  sync.Once
	stalledUp  atomic.Int64 // stalled connections that subscribed
	lostSoFar  atomic.Uint64
	errors     atomic.Int64 // connect errors and disconnects, for the progress line
	reconnects atomic.Uint64
	refusals   atomic.Uint64 // connection attempts refused with 1013 or HTTP 503, retried
	moves      moves
	// dials holds a token per handshake under way, at most DialConcurrency:
	// the first dials and the moves after a 1001 or 1013 alike (see
	// dialSlot).
	dials chan struct{}

	mu          sync.Mutex
	connectErrs uint64
	firstErr    string
	disconnects map[int]uint64
}

// New prepares count connections, the first with index offset in the whole
// load. pubSeq is the last seq published on a subject as of now, to count
// what a connection the server ended had lost; nil where the publisher is in
// another process.
func New(cfg Config, offset, count int, pubSeq func(subject int) uint64) *Fleet {
	f := &Fleet{
		cfg:         cfg,
		parser:      wire.Parser{Prefix: cfg.Prefix, Subjects: cfg.Subjects},
		cs:          connSubjects{k: cfg.SubsPerConn, n: cfg.Subjects},
		lat:         newLatencies(4 * runtime.GOMAXPROCS(0)),
		pubSeq:      pubSeq,
		closed:      make(chan struct{}),
		disconnects: map[int]uint64{},
		dials:       make(chan struct{}, max(cfg.DialConcurrency, 1)),
	}
	ips := cfg.SrcIPs
	if len(ips) == 0 {
		ips = []net.IP{nil} // the kernel's choice
	}
	for _, ip := range ips {
		d := &net.Dialer{Timeout: dialTimeout}
		if ip != nil {
			d.LocalAddr = &net.TCPAddr{IP: ip}
		}
		counter := new(atomic.Uint64)
		f.socketRead = append(f.socketRead, counter)
		tr := &http.Transport{DialContext: countingDialer(d, counter), Proxy: nil, DisableCompression: true, MaxIdleConns: 1}
		f.transports = append(f.transports, tr)
		f.clients = append(f.clients, &http.Client{Transport: tr})
	}
	f.conns = make([]*conn, count)
	for i := range f.conns {
		idx := offset + i
		c := &conn{f: f, idx: idx, local: i, stall: stalled(idx, cfg.StallPercent), track: newSeqTrack(cfg.SubsPerConn)}
		c.lat.shard = &f.lat.shards[i%len(f.lat.shards)]
		f.conns[i] = c
	}
	return f
}

// Open starts the connections evenly over the ramp, at most
// DialConcurrency dialing at once, and returns when every one started has
// subscribed or failed, or ctx is done.
func (f *Fleet) Open(ctx context.Context) {
	slots := f.dials
	start := time.Now()
	var step time.Duration
	if n := len(f.conns); n > 0 {
		step = f.cfg.Ramp / time.Duration(n)
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i, c := range f.conns {
		if wait := time.Until(start.Add(time.Duration(i) * step)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		f.wg.Add(1)
		f.ready.Add(1)
		go c.run(ctx, slots)
	}
	f.readyDone = make(chan struct{})
	go func() {
		f.ready.Wait()
		close(f.readyDone)
	}()
	select {
	case <-f.readyDone:
	case <-ctx.Done():
	}
}

// connectError counts a connection that could not subscribe.
func (f *Fleet) connectError(err error) {
	f.errors.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connectErrs++
	if f.firstErr == "" && !f.closing.Load() {
		f.firstErr = err.Error()
	}
}

// disconnected counts a connection the server ended, by close code, and
// what it lost.
func (f *Fleet) disconnected(code int, lost uint64) {
	f.errors.Add(1)
	f.lostSoFar.Add(lost)
	f.mu.Lock()
	f.disconnects[code]++
	f.mu.Unlock()
}

// uptoNow says, by slot of c, the last seq c was owed as of now.
func (f *Fleet) uptoNow(c *conn) func(slot int) uint64 {
	if f.pubSeq == nil {
		return func(slot int) uint64 { return c.track.last[slot] }
	}
	return func(slot int) uint64 { return f.pubSeq(f.cs.subject(c.idx, slot)) }
}

// Progress is a snapshot of the fleet for the progress line; it may be
// called while the connections run.
func (f *Fleet) Progress() report.Progress {
	var open int
	var delivered uint64
	for _, c := range f.conns {
		if c.live.Load() {
			open++
		}
		delivered += c.delivered.Load()
	}
	p99 := float64(f.lat.merged().ValueAtQuantile(99)) / 1000
	return report.Progress{Open: open + int(f.stalledUp.Load()), Delivered: delivered, P99: p99,
		Lost: f.lostSoFar.Load(), Errors: f.errors.Load(), Reconnects: f.reconnects.Load(),
		Refusals: f.refusals.Load()}
}

// behind is how many updates the live connections have yet to receive (or
// see conflated) to be level with final, the last seqs published.
func (f *Fleet) behind(final []uint64) uint64 {
	var n uint64
	for _, c := range f.conns {
		if !c.live.Load() {
			continue
		}
		var owed uint64
		for j := range f.cfg.SubsPerConn {
			owed += final[f.cs.subject(c.idx, j)]
		}
		if adv := c.advanced.Load(); owed > adv {
			n += owed - adv
		}
	}
	return n
}

// WaitLevel waits until the live connections have received everything up to
// final, the last seqs published by subject, or nothing moved for quiet, or
// ctx is done.
func (f *Fleet) WaitLevel(ctx context.Context, final []uint64, quiet time.Duration) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	last, lastMove := f.behind(final), time.Now()
	for last > 0 && time.Since(lastMove) < quiet {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := f.behind(final); n != last {
			last, lastMove = n, time.Now()
		}
	}
}
