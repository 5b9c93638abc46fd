package client

import "sync/atomic"

// Stats are a client's counters since New.
type Stats struct {
	Received  uint64 // updates read off the wire
	Delivered uint64 // updates handed to OnUpdate
	// Conflated counts updates replaced, while they waited for a busy
	// OnUpdate, by a newer one of their subject.
	Conflated uint64
	// Dropped counts updates not queued because Options.MaxPending subjects
	// were waiting already; the next one of their subject shows the Gap.
	Dropped uint64
	Gaps    uint64 // the sum of Update.Gap over the delivered updates
	Opened  uint64 // connections opened
	// DeltaErrors counts deltas that could not be applied (Resync events);
	// DeltaDropped the deltas of a subject dropped while it waited for the
	// snapshot that follows one.
	DeltaErrors, DeltaDropped uint64
}

type counters struct {
	received, delivered, conflated, dropped, gaps, opened atomic.Uint64
	deltaErrors, deltaDropped                             atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{Received: c.received.Load(), Delivered: c.delivered.Load(), Conflated: c.conflated.Load(),
		Dropped: c.dropped.Load(), Gaps: c.gaps.Load(), Opened: c.opened.Load(),
		DeltaErrors: c.deltaErrors.Load(), DeltaDropped: c.deltaDropped.Load()}
}
