package fleet

import (
	"strconv"

	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// Report accounts the closed fleet's connections: final are the last seqs
// published, by subject (nil: nothing was published); what a live
// connection had not received of them by now is lost. stalledEnd is what
// DrainStalled returned. It fills the subscriber side of a report.Report.
func (f *Fleet) Report(final []uint64, stalledEnd map[string]uint64) *report.Report {
	if final == nil {
		final = make([]uint64, f.cfg.Subjects)
	}
	r := &report.Report{StalledEnd: stalledEnd, Disconnects: map[string]uint64{}}
	for _, c := range f.conns {
		switch {
		case !c.acked:
			continue // counted as a connect error
		case c.stall:
			r.Stalled++
			continue
		}
		r.Subscribed++
		t := &c.track
		n := report.Counts{Delivered: t.delivered, Conflated: t.conflated, Dup: t.dup, Snapshots: c.snapshots,
			Malformed: c.malformed, ProtocolErrors: c.protoErrors, Foreign: c.foreign, Lost: c.lostAtClose,
			Deltas: c.deltas, Revoked: c.revoked, PayloadBytes: c.payload}
		if c.closeCode == 0 {
			n.Lost = t.lost(func(slot int) uint64 { return final[f.cs.subject(c.idx, slot)] })
		}
		r.Counts.Add(n)
	}
	f.mu.Lock()
	r.ConnectErrors = f.connectErrs
	r.Reconnects = f.reconnects.Load()
	r.Refusals = f.refusals.Load()
	r.Moves = f.moves.report(r.Reconnects, f.lat)
	r.FirstConnectError = f.firstErr
	for code, n := range f.disconnects {
		r.Disconnects[strconv.Itoa(code)] = n
	}
	f.mu.Unlock()
	r.WireBytes = f.wireBytes()
	r.SetHistogram(f.lat.merged())
	return r
}
