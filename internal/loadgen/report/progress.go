package report

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress is a snapshot of a run's subscribers, for the progress line;
// child processes send theirs to the parent every second.
type Progress struct {
	Open       int     `json:"open"`
	Delivered  uint64  `json:"delivered"`
	P99        float64 `json:"p99_ms"`
	Lost       uint64  `json:"lost"`
	Errors     int64   `json:"errors"`
	Reconnects uint64  `json:"reconnects"`
	Refusals   uint64  `json:"refusals"`
}

// Add adds q, another process's progress, to p: the counts add up, the p99
// is the larger one.
func (p *Progress) Add(q Progress) {
	p.Open += q.Open
	p.Delivered += q.Delivered
	p.Lost += q.Lost
	p.Errors += q.Errors
	p.Reconnects += q.Reconnects
	p.Refusals += q.Refusals
	p.P99 = max(p.P99, q.P99)
}

// ProgressLine prints a line a second while a run goes.
type ProgressLine struct {
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// StartProgress prints the progress that now returns to w every second, out
// of conns connections, until Stop; a nil w prints nothing.
func StartProgress(w io.Writer, conns int, now func() Progress) *ProgressLine {
	p := &ProgressLine{done: make(chan struct{})}
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
			case at := <-t.C:
				s := now()
				rate := float64(s.Delivered-min(last, s.Delivered)) / at.Sub(lastAt).Seconds()
				last, lastAt = s.Delivered, at
				fmt.Fprintf(w, "t=%.0fs conns=%d/%d deliveries/s=%.0f p99=%s lost=%d errors=%d reconnects=%d refused=%d\n",
					at.Sub(start).Seconds(), s.Open, conns, rate, fmtMs(s.P99), s.Lost, s.Errors, s.Reconnects, s.Refusals)
			}
		}
	}()
	return p
}

// Stop ends the progress lines; it may be called more than once.
func (p *ProgressLine) Stop() {
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
