package fanout

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/ticker-dev/ticker/internal/codec"
)

// testOutbox is an outbox on a fake clock, with what it counted.
type testOutbox struct {
	*outbox
	clock              *clockwork.FakeClock
	conflated, dropped int
}

// newTestOutbox returns an empty outbox bounded to maxBytes, with a slow
// timeout of a minute and the default batch caps unless cfg says otherwise.
func newTestOutbox(maxBytes int, cfg func(*outboxConfig)) *testOutbox {
	to := &testOutbox{clock: clockwork.NewFakeClock()}
	c := &outboxConfig{
		maxBytes:      maxBytes,
		slowTimeout:   time.Minute,
		maxBatch:      defaultMaxBatch,
		maxBatchBytes: defaultMaxBatchBytes,
		clock:         clockOf(to.clock),
		conflated:     func(n int) { to.conflated += n },
		dropped:       func(n int) { to.dropped += n },
	}
	if cfg != nil {
		cfg(c)
	}
	to.outbox = &outbox{cfg: c}
	return to
}

// update returns a live item of subject at seq, its frame 100 bytes long;
// the caller's reference on its message is the one the test holds.
func update(t *testing.T, subject string, seq uint64) item {
	t.Helper()
	m, err := newMessage(subject, payload(t, seq))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.release)
	return item{frame: make([]byte, 100), m: m, live: true}
}

// reply returns an item that carries no update, n bytes long.
func reply(n int) item { return item{frame: make([]byte, n)} }

// drain takes and finishes every batch, returning the items in the order
// written.
func (to *testOutbox) drain(t *testing.T) []item {
	t.Helper()
	var all []item
	for {
		batch, ok := to.take(nil)
		if !ok {
			return all
		}
		all = append(all, batch...)
		if !to.done(batch, nil) {
			return all
		}
	}
}

func TestAnOutboxAsksForAWriterOnlyWhileItHasNone(t *testing.T) {
	o := newTestOutbox(1<<20, nil)
	steps := []struct {
		name string
		do   func() pushed
		want pushed
	}{
		{"the first push to an idle outbox", func() pushed { return o.push(reply(10)) }, pushQueued | pushReady},
		{"a push while a writer has it", func() pushed { return o.push(reply(10)) }, pushQueued},
		{"a push after the writer took a batch", func() pushed {
			batch, _ := o.take(nil)
			r := o.push(reply(10))
			if !o.done(batch, nil) {
				t.Fatal("done reported nothing more after a push")
			}
			return r
		}, pushQueued},
		{"a push after the writer found it empty", func() pushed {
			o.drain(t)
			return o.push(reply(10))
		}, pushQueued | pushReady},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Fatalf("%s: pushed %04b, want %04b", s.name, got, s.want)
		}
	}
}

func TestAnOutboxAtItsBoundKeepsTheNewestUpdateOfEachSubjectInOrder(t *testing.T) {
	o := newTestOutbox(1000, nil)
	var pushedAll []item
	for seq := uint64(1); seq <= 6; seq++ {
		for _, it := range []item{update(t, "quotes.A", seq), update(t, "quotes.B", seq), reply(10)} {
			if r := o.push(it); r&pushQueued == 0 {
				t.Fatalf("push %d not queued: %04b", len(pushedAll), r)
			}
			pushedAll = append(pushedAll, it)
		}
	}
	got := o.drain(t)
	var subjects []string
	last := map[string]uint64{}
	replies := 0
	for _, it := range got {
		if it.m == nil {
			replies++
			continue
		}
		subjects = append(subjects, it.m.subject)
		last[it.m.subject] = it.m.header.Seq
	}
	if replies != 6 {
		t.Fatalf("%d replies written, want all 6: replies are never conflated", replies)
	}
	if last["quotes.A"] != 6 || last["quotes.B"] != 6 {
		t.Fatalf("newest written: %v, want seq 6 of each", last)
	}
	if o.conflated == 0 || o.conflated+len(got) != len(pushedAll) {
		t.Fatalf("conflated %d + written %d != pushed %d", o.conflated, len(got), len(pushedAll))
	}
	if !slices.Equal(subjects[len(subjects)-2:], []string{"quotes.A", "quotes.B"}) {
		t.Fatalf("order of the newest updates: %v", subjects)
	}
	for _, it := range pushedAll {
		if it.m != nil && it.m.refs.Load() != 1 {
			t.Fatalf("%s seq %d holds %d references after drain, want only the test's", it.m.subject, it.m.header.Seq, it.m.refs.Load())
		}
	}
}

func TestAnOutboxThatConflationCannotBringUnderItsBound(t *testing.T) {
	// Distinct subjects of 100 bytes each in a 1000-byte outbox: nothing to
	// conflate. Eleven are over the bound, under twice it.
	overTheBound := func(t *testing.T, o *testOutbox) {
		t.Helper()
		var all pushed
		for i := range 11 {
			all |= o.push(update(t, fmt.Sprintf("quotes.S%d", i), 1))
		}
		if all&pushOver == 0 || all&pushGaveUp != 0 {
			t.Fatalf("pushes over the bound reported %04b, want over and not given up", all)
		}
	}
	for _, tc := range []struct {
		name       string
		then       func(t *testing.T, o *testOutbox) (gaveUp bool)
		wantGaveUp bool
	}{
		{"gives up at once past twice its bound", func(t *testing.T, o *testOutbox) bool {
			r := o.push(reply(1000))
			return r == pushGaveUp
		}, true},
		{"gives up at a push once over its bound for the slow timeout", func(t *testing.T, o *testOutbox) bool {
			o.clock.Advance(o.cfg.slowTimeout)
			return o.push(reply(10)) == pushGaveUp
		}, true},
		{"is given up by expire once over its bound for the slow timeout", func(t *testing.T, o *testOutbox) bool {
			o.clock.Advance(o.cfg.slowTimeout - 1)
			if gaveUp, over := o.expire(o.clock.Now()); gaveUp || !over {
				t.Fatalf("expire before the timeout: gave up %v, over %v; want kept and watched", gaveUp, over)
			}
			o.clock.Advance(1)
			gaveUp, over := o.expire(o.clock.Now())
			if over {
				t.Fatal("expire gave up but still asks to be watched")
			}
			return gaveUp
		}, true},
		{"is kept while over its bound within the slow timeout", func(t *testing.T, o *testOutbox) bool {
			o.clock.Advance(o.cfg.slowTimeout / 2)
			return o.push(reply(10)) != pushQueued
		}, false},
		{"is no longer watched once back within its bound", func(t *testing.T, o *testOutbox) bool {
			batch, _ := o.take(nil)
			o.done(batch, nil)
			o.clock.Advance(o.cfg.slowTimeout)
			gaveUp, over := o.expire(o.clock.Now())
			if over {
				t.Fatal("within its bound, expire still asks to be watched")
			}
			return gaveUp
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newTestOutbox(1000, nil)
			overTheBound(t, o)
			if got := tc.then(t, o); got != tc.wantGaveUp {
				t.Fatalf("gave up: %v, want %v", got, tc.wantGaveUp)
			}
			if o.isClosed() != tc.wantGaveUp {
				t.Fatalf("closed: %v, want %v", o.isClosed(), tc.wantGaveUp)
			}
			if tc.wantGaveUp {
				if o.dropped != 11 {
					t.Fatalf("dropped %d updates, want the 11 queued", o.dropped)
				}
				if o.giveUp() {
					t.Fatal("a closed outbox gave up again")
				}
			}
		})
	}
}

func TestAnOutboxTakesBatchesWithinTheCaps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    func(*outboxConfig)
		frames []int // the sizes of the items pushed
		want   []int // the number of items in each batch taken
	}{
		{"at most maxBatch items", func(c *outboxConfig) { c.maxBatch = 3 }, []int{10, 10, 10, 10, 10, 10, 10}, []int{3, 3, 1}},
		{"at most maxBatchBytes, counting a separator each", func(c *outboxConfig) { c.maxBatchBytes = 33 }, []int{10, 10, 10, 10, 10}, []int{3, 2}},
		{"a single item larger than maxBatchBytes whole", func(c *outboxConfig) { c.maxBatchBytes = 50 }, []int{10, 100, 10}, []int{1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newTestOutbox(1<<20, tc.cfg)
			for _, n := range tc.frames {
				o.push(reply(n))
			}
			var got []int
			for {
				batch, ok := o.take(nil)
				if !ok {
					break
				}
				got = append(got, len(batch))
				o.done(batch, nil)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("batches %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAClosedOutboxDropsAndReleasesWhatWaits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(o *testOutbox)
	}{
		{"closed by its owner", func(o *testOutbox) { o.close() }},
		{"given up by its owner", func(o *testOutbox) { o.giveUp() }},
		{"closed by a failed write", func(o *testOutbox) {
			batch, _ := o.take(make([]item, 0, 1))
			batch = batch[:1] // write just one of them, and fail
			o.done(batch, errors.New("broken pipe"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newTestOutbox(1<<20, func(c *outboxConfig) { c.maxBatch = 1 })
			var ms []*message
			for seq := uint64(1); seq <= 5; seq++ {
				it := update(t, "quotes.X", seq)
				o.push(it)
				ms = append(ms, it.m)
			}
			o.push(reply(10))
			tc.close(o)
			if !o.isClosed() {
				t.Fatal("not closed")
			}
			if o.dropped < 4 {
				t.Fatalf("dropped %d updates, want those still waiting", o.dropped)
			}
			for _, m := range ms {
				if n := m.refs.Load(); n != 1 {
					t.Fatalf("seq %d holds %d references, want only the test's", m.header.Seq, n)
				}
			}
			if r := o.push(update(t, "quotes.X", 9)); r != 0 {
				t.Fatalf("a push to a closed outbox reported %04b", r)
			}
			if _, ok := o.take(nil); ok {
				t.Fatal("a closed outbox handed out a batch")
			}
			if o.buf != nil || o.bytes != 0 {
				t.Fatalf("a closed outbox holds an array (%v) or bytes (%d)", o.buf != nil, o.bytes)
			}
		})
	}
}

func TestAnIdleOutboxHoldsNoArray(t *testing.T) {
	o := newTestOutbox(1<<20, nil)
	o.push(item{frame: codec.AppendAck(codec.JSON, nil, codec.IntID(1))})
	if o.buf == nil {
		t.Fatal("a busy outbox holds no array")
	}
	o.drain(t)
	if o.buf != nil || o.pending != nil || o.bytes != 0 {
		t.Fatalf("an emptied outbox still holds its array or %d bytes", o.bytes)
	}
}
