package fleet

// seqTrack accounts the updates one connection receives, by the slot of
// their subject among the connection's subjects. Publishing starts at seq 1
// on every subject after all connections have subscribed, so a connection
// expects every seq of each of its subjects from 1 on.
//
//   - the next seq: delivered;
//   - a later one: delivered, and the seqs skipped are conflated (the server
//     dropped older full-state updates because a newer one was pending);
//   - an older or repeated one: dup (neither delivered nor conflated).
//
// Seqs never received up to the last one published are lost (see lost).
// delivered + conflated + lost is then what the connection was owed.
//
// A connection that reconnects elsewhere after a 1001 keeps its track. The
// snapshots it gets on subscribing again are counted as snapshots only; the
// first live update of a subject after them is a later seq, so the seqs
// published while it was away count as conflated, as the server would have
// conflated them into that newer full-state update. They are lost only when
// nothing newer arrives by the end of the run.
type seqTrack struct {
	last      []uint64 // last seq received, by slot
	advanced  uint64   // sum of last: delivered + conflated
	delivered uint64
	conflated uint64
	dup       uint64
}

func newSeqTrack(slots int) seqTrack { return seqTrack{last: make([]uint64, slots)} }

// update accounts seq of the subject in slot and reports whether it is new
// (delivered), so that its latency counts.
func (t *seqTrack) update(slot int, seq uint64) bool {
	last := t.last[slot]
	if seq <= last {
		t.dup++
		return false
	}
	t.conflated += seq - last - 1
	t.delivered++
	t.advanced += seq - last
	t.last[slot] = seq
	return true
}

// lost counts the seqs up to upto(slot) that never arrived, by slot.
func (t *seqTrack) lost(upto func(slot int) uint64) uint64 {
	var n uint64
	for slot, last := range t.last {
		if u := upto(slot); u > last {
			n += u - last
		}
	}
	return n
}
