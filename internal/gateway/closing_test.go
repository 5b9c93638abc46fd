package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/subscribe"
)

// stuckBus is a bus whose Sync waits until its caller gives up, so that a
// subscription is under way for as long as the test needs.
type stuckBus struct{ syncing chan struct{} }

func (b *stuckBus) Watch([]string) error { return nil }
func (b *stuckBus) Unwatch([]string)     {}
func (b *stuckBus) Sync(ctx context.Context) error {
	b.syncing <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// loud records the logs at WARN and above.
type loud struct {
	mu   sync.Mutex
	msgs []string
}

func (l *loud) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (l *loud) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Level.String()+" "+r.Message)
	return nil
}
func (l *loud) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *loud) WithGroup(string) slog.Handler      { return l }

func (l *loud) logged() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}

// stuckServer is a gateway on a stuckBus, served over loopback.
func stuckServer(t *testing.T) (*Server, *stuckBus, *loud, string) {
	t.Helper()
	bus := &stuckBus{syncing: make(chan struct{}, 1)}
	hub := fanout.NewHub(fanout.Options{Bus: bus})
	allow, err := subscribe.NewAllow([]string{"quotes.>"})
	if err != nil {
		t.Fatal(err)
	}
	logs := &loud{}
	s := New(Options{Hub: hub, Policy: subscribe.Policy{Allow: allow}, Logger: slog.New(logs)})
	hs := httptest.NewServer(s)
	t.Cleanup(func() { hs.Close(); hub.Close() })
	return s, bus, logs, strings.TrimPrefix(hs.URL, "http://")
}

func waitSyncing(t *testing.T, bus *stuckBus) {
	t.Helper()
	select {
	case <-bus.syncing:
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription never reached the bus")
	}
}

func waitCounted(t *testing.T, s *Server, code string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); testutil.ToFloat64(s.metrics.closed.WithLabelValues(code)) != 1; {
		if time.Now().After(deadline) {
			t.Fatalf("close %s never counted", code)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAnSSEClientLeavingWhileItSubscribesIsCountedAsGoneNotAsAnInternalError(t *testing.T) {
	s, bus, logs, addr := stuckServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/sse?subjects=quotes.X", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	waitSyncing(t, bus)
	cancel() // the client hangs up
	resp.Body.Close()
	waitCounted(t, s, "1006")
	if got := testutil.ToFloat64(s.metrics.closed.WithLabelValues("1011")); got != 0 {
		t.Fatalf("counted as 1011 %v times", got)
	}
	if l := logs.logged(); len(l) > 0 {
		t.Fatalf("logged %q for a client that left", l)
	}
}

func TestADrainWhileAWebSocketSubscribesIsCounted1001NotAsAnInternalError(t *testing.T) {
	s, bus, logs, addr := stuckServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"op":"sub","id":1,"subjects":["quotes.X"]}`)); err != nil {
		t.Fatal(err)
	}
	waitSyncing(t, bus)
	drained := make(chan error, 1)
	go func() { drained <- s.Drain(ctx, 0) }()
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("the client got %v, want close 1001", err)
	}
	if err := <-drained; err != nil {
		t.Fatalf("drain: %v", err)
	}
	waitCounted(t, s, "1001")
	if got := testutil.ToFloat64(s.metrics.closed.WithLabelValues("1011")); got != 0 {
		t.Fatalf("counted as 1011 %v times", got)
	}
	if l := logs.logged(); len(l) > 0 {
		t.Fatalf("logged %q for a connection the gateway closed", l)
	}
}
