package client_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// waitBound bounds every wait of these tests: they wait for events, never
// for a time, and fail when one does not come.
const waitBound = 30 * time.Second

// A recorder keeps what a client's callbacks got, for a test to wait on.
type recorder struct {
	mu      sync.Mutex
	updates []client.Update
	events  []client.Event
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) onUpdate(u client.Update) {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	r.mu.Unlock()
	r.signal()
}

func (r *recorder) onEvent(e client.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.signal()
}

func (r *recorder) signal() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// options returns o with the recorder's callbacks.
func (r *recorder) options(o client.Options) client.Options {
	o.OnUpdate, o.OnEvent = r.onUpdate, r.onEvent
	return o
}

// waitFor waits until cond holds of what was recorded.
func (r *recorder) waitFor(t *testing.T, what string, cond func(updates []client.Update, events []client.Event) bool) {
	t.Helper()
	deadline := time.NewTimer(waitBound)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok := cond(r.updates, r.events)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(50 * time.Millisecond): // cond may look at more than the callbacks
		case <-deadline.C:
			t.Fatalf("waiting for %s; got\n%s", what, r.dump())
		}
	}
}

// waitEvent waits for an event matching want (State, and URL when set) at
// index from or later, and returns its index.
func (r *recorder) waitEvent(t *testing.T, from int, state client.State, url string) int {
	t.Helper()
	at := -1
	r.waitFor(t, fmt.Sprintf("%s %s", state, url), func(_ []client.Update, events []client.Event) bool {
		for i := from; i < len(events); i++ {
			if events[i].State == state && (url == "" || events[i].URL == url) {
				at = i
				return true
			}
		}
		return false
	})
	return at
}

// waitUpdate waits for an update of subject with seq, at index from or
// later, and returns it with its index.
func (r *recorder) waitUpdate(t *testing.T, from int, subject string, seq uint64) (client.Update, int) {
	t.Helper()
	var got client.Update
	at := -1
	r.waitFor(t, fmt.Sprintf("%s seq %d", subject, seq), func(updates []client.Update, _ []client.Event) bool {
		for i := from; i < len(updates); i++ {
			if updates[i].Subject == subject && updates[i].Seq == seq {
				got, at = updates[i], i
				return true
			}
		}
		return false
	})
	return got, at
}

func (r *recorder) counts() (updates, events int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.updates), len(r.events)
}

func (r *recorder) eventsFrom(i int) []client.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events[i:])
}

func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.events {
		fmt.Fprintf(&b, "  event %s %s code=%d reason=%q final=%v err=%v\n", e.State, e.URL, e.Code, e.Reason, e.Final, e.Err)
	}
	for _, u := range r.updates {
		fmt.Fprintf(&b, "  update %s seq=%d snapshot=%v gap=%d conflated=%d from %s\n", u.Subject, u.Seq, u.Snapshot, u.Gap, u.Conflated, u.URL)
	}
	return b.String()
}

// running is a client's Run on a goroutine of the test.
type running struct {
	done    chan struct{}
	err     error // Run's result, once done is closed
	checked bool  // the test looked at err itself
}

// run runs c until the end of the test, which fails if Run returns an
// error the test did not wait for.
func run(t *testing.T, c *client.Client) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{done: make(chan struct{})}
	go func() { r.err = c.Run(ctx); close(r.done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
			if r.err != nil && !r.checked {
				t.Errorf("Run: %v", r.err)
			}
		case <-time.After(waitBound):
			t.Errorf("Run did not return %v after its context ended", waitBound)
		}
	})
	return r
}

// wait waits for Run to return by itself and returns its error.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-r.done:
		r.checked = true
		return r.err
	case <-time.After(waitBound):
		t.Fatalf("Run still running after %v", waitBound)
		return nil
	}
}

func newClient(t *testing.T, o client.Options) *client.Client {
	t.Helper()
	c, err := client.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func subscribe(t *testing.T, c *client.Client, patterns ...string) {
	t.Helper()
	if err := c.Subscribe(patterns...); err != nil {
		t.Fatal(err)
	}
}

var codecs = []client.Codec{client.JSON, client.Msgpack}
