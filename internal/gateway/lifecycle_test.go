package gateway

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ticker-dev/ticker/internal/closecode"
	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/ticker-dev/ticker/internal/fanout"
)

// fakeTransport is a third transport, as a new one would be written: it
// brings its loop and its goodbye, and nothing of admission or lifecycle.
type fakeTransport struct {
	closed    chan struct{}
	closeOnce sync.Once
	code      closecode.Code
	finished  int
}

func newFake() *fakeTransport { return &fakeTransport{closed: make(chan struct{})} }

func (f *fakeTransport) Write([]byte) error { return nil }
func (f *fakeTransport) Close(code closecode.Code, _ string) {
	f.closeOnce.Do(func() { f.code = code; close(f.closed) })
}
func (f *fakeTransport) kind() codec.Kind { return codec.JSON }
func (f *fakeTransport) label() string    { return "json" }
func (f *fakeTransport) serve(*conn)      { <-f.closed }
func (f *fakeTransport) finish() closecode.Code {
	f.finished++
	return f.code
}

func testServer(t *testing.T, l Limits) *Server {
	t.Helper()
	hub := fanout.NewHub(fanout.Options{})
	t.Cleanup(hub.Close)
	return New(Options{Hub: hub, Limits: l, Logger: slog.New(slog.DiscardHandler)})
}

// openFake admits and takes a fake connection and runs it; the result says
// when run has returned.
func openFake(t *testing.T, s *Server) (*fakeTransport, <-chan struct{}) {
	t.Helper()
	c, ref := s.admit(httptest.NewRequest("GET", "/fake", nil), nil)
	if ref != nil {
		t.Fatalf("admit: %+v", ref)
	}
	f := newFake()
	if ref := c.take(f); ref != nil {
		t.Fatalf("take: %+v", ref)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.run(c) }()
	return f, done
}

func (s *Server) openConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns) + len(s.perIP)
}

func TestAnyTransportIsCountedReleasedOnceAndClosedWithTheCodeItSent(t *testing.T) {
	for _, code := range []closecode.Code{closecode.PolicyViolation, closecode.MessageTooBig, closecode.Abnormal} {
		t.Run(code.String(), func(t *testing.T) {
			s := testServer(t, Limits{})
			f, done := openFake(t, s)
			f.Close(code, "test")
			<-done
			if got := testutil.ToFloat64(s.metrics.closed.WithLabelValues(code.String())); got != 1 {
				t.Errorf("closed{code=%s} = %v, want 1", code, got)
			}
			if got := testutil.ToFloat64(s.metrics.connections.WithLabelValues("json")); got != 0 {
				t.Errorf("connections = %v after the close", got)
			}
			if f.finished != 1 || s.openConns() != 0 {
				t.Errorf("finished %d times, %d slots still held", f.finished, s.openConns())
			}
		})
	}
}

func TestATakenTransportCountsAgainstTheLimitsUntilItEnds(t *testing.T) {
	s := testServer(t, Limits{MaxConns: 1})
	f, done := openFake(t, s)
	c, _ := s.admit(httptest.NewRequest("GET", "/fake", nil), nil)
	if ref := c.take(newFake()); ref == nil || ref.reason != rejectMaxConns || ref.code != closecode.TryAgainLater {
		t.Fatalf("the second connection: %+v, want max_conns with 1013", ref)
	}
	c.release() // not taken: nothing to give back
	f.Close(closecode.Normal, "")
	<-done
	f, done = openFake(t, s) // the slot is free again
	f.Close(closecode.Normal, "")
	<-done
}

func TestDrainClosesEveryTakenTransportAndRefusesTheNext(t *testing.T) {
	s := testServer(t, Limits{})
	a, doneA := openFake(t, s)
	b, doneB := openFake(t, s)
	c, _ := s.admit(httptest.NewRequest("GET", "/fake", nil), nil) // checked, not yet taken
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Drain(ctx, 0); err != nil {
		t.Fatal(err)
	}
	<-doneA
	<-doneB
	if a.code != closecode.GoingAway || b.code != closecode.GoingAway {
		t.Fatalf("closed with %s and %s, want 1001", a.code, b.code)
	}
	if ref := c.take(newFake()); ref != refuseDrainingLate {
		t.Fatalf("taken during the drain: %+v", ref)
	}
	if _, ref := s.admit(httptest.NewRequest("GET", "/fake", nil), nil); ref != refuseDraining {
		t.Fatalf("admitted during the drain: %+v", ref)
	}
}

func TestAnExpiredTokenClosesAnyTransportWith1008Once(t *testing.T) {
	s := testServer(t, Limits{})
	c, _ := s.admit(httptest.NewRequest("GET", "/fake", nil), nil)
	c.expiry = time.Now() // as a token that expires at once would set it
	f := newFake()
	if ref := c.take(f); ref != nil {
		t.Fatal(ref)
	}
	s.run(c) // returns once the expiry has closed it
	if f.code != closecode.PolicyViolation {
		t.Fatalf("closed with %s, want 1008", f.code)
	}
	if got := testutil.ToFloat64(s.metrics.limited.WithLabelValues(limitTokenExpired)); got != 1 {
		t.Fatalf("limited{token_expired} = %v", got)
	}
	c.closeFor(limitTokenExpired, "late") // after the loop: nothing
	if got := testutil.ToFloat64(s.metrics.limited.WithLabelValues(limitTokenExpired)); got != 1 {
		t.Fatalf("a close after the end was counted: %v", got)
	}
}
