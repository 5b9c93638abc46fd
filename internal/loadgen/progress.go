package loadgen

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress is a snapshot of a run's subscribers.
type progress struct {
	Open       int     `json:"open"`
	Delivered  uint64  `json:"delivered"`
	P99        float64 `json:"p99_ms"`
	Lost       uint64  `json:"lost"`
	Errors     int64   `json:"errors"`
	Reconnects uint64  `json:"reconnects"`
}

// progressNow reads the fleet's progress.
func (f *fleet) progressNow() progress {
	open, delivered := f.progress()
	p99 := float64(f.lat.merged().ValueAtQuantile(99)) / 1000
	return progress{Open: open, Delivered: delivered, P99: p99, Lost: f.lostSoFar.Load(), Errors: f.errors.Load(),
		Reconnects: f.reconnects.Load()}
}

// progressLine prints a line a second while a run goes.
type progressLine struct {
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// startProgress prints subs' progress to w every second, until stop; a nil
// w prints nothing.
func startProgress(w io.Writer, subs subscribers, conns int) *progressLine {
	p := &progressLine{done: make(chan struct{})}
	if w == nil {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		start := time.Now()
		last, lastAt := uint64(0), start
		for {
			select {
			case <-p.done:
				return
			case now := <-t.C:
				s := subs.progress()
				rate := float64(s.Delivered-min(last, s.Delivered)) / now.Sub(lastAt).Seconds()
				last, lastAt = s.Delivered, now
				fmt.Fprintf(w, "t=%.0fs conns=%d/%d deliveries/s=%.0f p99=%s lost=%d errors=%d reconnects=%d\n",
					now.Sub(start).Seconds(), s.Open, conns, rate, fmtMs(s.P99), s.Lost, s.Errors, s.Reconnects)
			}
		}
	}()
	return p
}

// stop ends the progress lines; it may be called more than once.
func (p *progressLine) stop() {
	p.once.Do(func() { close(p.done) })
	p.wg.Wait()
}

// fmtMs formats milliseconds with a precision that suits their size.
func fmtMs(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.0fµs", ms*1000)
	case ms < 100:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.0fms", ms)
}
