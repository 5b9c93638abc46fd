package client

import (
	"fmt"
	"testing"
)

func update(subject string, seq uint64) Update { return Update{Subject: subject, Seq: seq} }

// takeAll takes everything queued, as "subject:seq" (updates, with
// /gap/conflated when set) and "event:state".
func takeAll(m *mailbox) []string {
	var out []string
	for {
		it, ok := m.take()
		if !ok {
			return out
		}
		if it.event {
			out = append(out, "event:"+it.ev.State.String())
			continue
		}
		s := fmt.Sprintf("%s:%d", it.u.Subject, it.u.Seq)
		if it.u.Gap > 0 || it.u.Conflated > 0 {
			s += fmt.Sprintf("/%d/%d", it.u.Gap, it.u.Conflated)
		}
		out = append(out, s)
	}
}

func TestTheMailboxConflatesInPlaceAndKeepsEventsInOrder(t *testing.T) {
	var st counters
	m := newMailbox(10, &st)
	m.putUpdate(update("a", 1))
	m.putEvent(Event{State: Subscribed})
	m.putUpdate(update("b", 1))
	m.putUpdate(update("a", 2))
	m.putUpdate(update("a", 3))
	got := fmt.Sprint(takeAll(m))
	if want := "[a:3/0/2 event:subscribed b:1]"; got != want {
		t.Errorf("took %s, want %s", got, want)
	}
	m.putUpdate(update("a", 4))
	m.putUpdate(update("b", 1)) // a replayed snapshot: no gap
	if got, want := fmt.Sprint(takeAll(m)), "[a:4 b:1]"; got != want {
		t.Errorf("took %s, want %s", got, want)
	}
	if s := st.snapshot(); s.Conflated != 2 || s.Dropped != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestTheMailboxDropsBeyondItsBound(t *testing.T) {
	var st counters
	m := newMailbox(2, &st)
	m.putUpdate(update("a", 1))
	m.putUpdate(update("b", 1))
	m.putUpdate(update("c", 1)) // a third subject: dropped
	m.putUpdate(update("b", 2)) // conflated, not dropped
	if got, want := fmt.Sprint(takeAll(m)), "[a:1 b:2/0/1]"; got != want {
		t.Errorf("took %s, want %s", got, want)
	}
	if s := st.snapshot(); s.Dropped != 1 || s.Conflated != 1 {
		t.Errorf("stats %+v, want one dropped and one conflated", s)
	}
}

func TestTheMailboxKeepsItsIndexesThroughCompaction(t *testing.T) {
	var st counters
	m := newMailbox(1000, &st)
	for i := range 200 {
		m.putUpdate(update(fmt.Sprint("s", i), 1))
	}
	for range 150 {
		m.take()
	}
	for i := 150; i < 200; i++ {
		m.putUpdate(update(fmt.Sprint("s", i), 2)) // conflated into the queued ones
	}
	got := takeAll(m)
	if len(got) != 50 || got[0] != "s150:2/0/1" || got[49] != "s199:2/0/1" {
		t.Errorf("took %d: %v ... %v", len(got), got[0], got[len(got)-1])
	}
}

func TestDroppingUpdatesKeepsTheEvents(t *testing.T) {
	var st counters
	m := newMailbox(10, &st)
	m.putUpdate(update("a", 1))
	m.putEvent(Event{State: Open})
	m.putUpdate(update("b", 1))
	m.dropUpdates()
	m.putEvent(Event{State: Closed, Final: true})
	m.close()
	m.putUpdate(update("c", 1)) // after close: ignored
	if got, want := fmt.Sprint(takeAll(m)), "[event:open event:closed]"; got != want {
		t.Errorf("took %s, want %s", got, want)
	}
	if !m.done() {
		t.Error("a closed, empty mailbox is not done")
	}
}
