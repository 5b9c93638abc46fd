package client

import (
	"encoding/json"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// DeltaError is the Err of a Resync event: a "delta":true msg that could
// not be applied, because it does not follow the last full update of its
// subject this client holds (Seq != Base+1), or because the client holds
// none (HasBase false). It is never merged: the client drops its copy of the
// subject and subscribes the patterns that match it again, for a snapshot.
type DeltaError struct {
	Subject string
	Seq     uint64 // the delta's seq
	Base    uint64 // the seq of the full update held; 0 without one
	HasBase bool
	Err     error // the data could not be merged; nil on a seq mismatch
}

func (e *DeltaError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("delta of %s seq %d: %v", e.Subject, e.Seq, e.Err)
	case !e.HasBase:
		return fmt.Sprintf("delta of %s seq %d without a full update to apply it to", e.Subject, e.Seq)
	}
	return fmt.Sprintf("delta of %s seq %d does not follow seq %d", e.Subject, e.Seq, e.Base)
}

func (e *DeltaError) Unwrap() error { return e.Err }

// base is the last full data of a subject of a delta subscription.
type base struct {
	data  []byte
	seq   uint64
	stale int64 // > 0: a delta failed; deltas are dropped until a full update or the pong of this barrier
}

// deltaStore keeps, per subject of a delta subscription, the last full data:
// what the next delta merges onto. Only a session's reader goroutine uses
// it, so it has no lock; a new connection starts empty (its snapshots come
// whole).
type deltaStore struct{ bases map[string]*base }

func newDeltaStore() *deltaStore { return &deltaStore{bases: map[string]*base{}} }

// apply turns m into the full update to deliver. A whole msg is kept, when
// keep says its subject is of a delta subscription, and returned as is. A
// delta is merged onto the subject's base when it follows it; otherwise it
// returns a *DeltaError (and drops the base), or drop when the subject awaits
// its snapshot after such an error already.
func (d *deltaStore) apply(m Message, keep bool) (out Message, drop bool, err error) {
	h, herr := m.Header()
	if !m.Delta {
		if keep && herr == nil {
			d.bases[m.Subject] = &base{data: m.Data, seq: h.Seq}
		} else {
			delete(d.bases, m.Subject)
		}
		return m, false, nil
	}
	b := d.bases[m.Subject]
	if b != nil && b.stale > 0 {
		return m, true, nil
	}
	delete(d.bases, m.Subject)
	de := &DeltaError{Subject: m.Subject, Seq: h.Seq, Err: herr}
	if b != nil {
		de.Base, de.HasBase = b.seq, true
	}
	if herr != nil || b == nil || h.Seq != b.seq+1 {
		return m, false, de
	}
	merged, err := mergeData(m.Codec, b.data, m.Data)
	if err != nil {
		de.Err = err
		return m, false, de
	}
	if keep {
		d.bases[m.Subject] = &base{data: merged, seq: h.Seq}
	}
	m.Data = merged
	return m, false, nil
}

// resyncing marks subject as waiting for the snapshot of the sub whose
// barrier ping is barrier: its deltas are dropped until then.
func (d *deltaStore) resyncing(subject string, barrier int64) {
	d.bases[subject] = &base{stale: barrier}
}

// ponged ends the wait of the subjects resyncing on barrier: a delta that
// still finds no base is an error again.
func (d *deltaStore) ponged(barrier int64) {
	for s, b := range d.bases {
		if b.stale == barrier {
			delete(d.bases, s)
		}
	}
}

// forget drops the subjects keep does not want.
func (d *deltaStore) forget(keep func(subject string) bool) {
	for s := range d.bases {
		if !keep(s) {
			delete(d.bases, s)
		}
	}
}

// mergeData returns the fields of full with those of delta put over them,
// in codec's encoding: an object (map) of the same shape as a whole update.
func mergeData(c Codec, full, delta []byte) ([]byte, error) {
	if c == Msgpack {
		var f, dm map[string]msgpack.RawMessage
		if err := msgpack.Unmarshal(full, &f); err != nil {
			return nil, fmt.Errorf("read base: %w", err)
		}
		if err := msgpack.Unmarshal(delta, &dm); err != nil {
			return nil, fmt.Errorf("read delta: %w", err)
		}
		if f == nil {
			f = map[string]msgpack.RawMessage{}
		}
		for k, v := range dm {
			f[k] = v
		}
		return msgpack.Marshal(f)
	}
	var f, dm map[string]json.RawMessage
	if err := json.Unmarshal(full, &f); err != nil {
		return nil, fmt.Errorf("read base: %w", err)
	}
	if err := json.Unmarshal(delta, &dm); err != nil {
		return nil, fmt.Errorf("read delta: %w", err)
	}
	if f == nil {
		f = map[string]json.RawMessage{}
	}
	for k, v := range dm {
		f[k] = v
	}
	return json.Marshal(f)
}
