package fleet

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestGoingAwayAndTryAgainLaterReconnectAReadingConnection(t *testing.T) {
	closed := func(code websocket.StatusCode) error { return websocket.CloseError{Code: code} }
	for _, tt := range []struct {
		name        string
		err         error
		stall       bool
		noReconnect bool
		want        bool
	}{
		{"1001 going away", closed(websocket.StatusGoingAway), false, false, true},
		{"1013 try again later", closed(websocket.StatusTryAgainLater), false, false, true},
		{"1001 on a stalled connection", closed(websocket.StatusGoingAway), true, false, false},
		{"1001 with --no-reconnect", closed(websocket.StatusGoingAway), false, true, false},
		{"1013 with --no-reconnect", closed(websocket.StatusTryAgainLater), false, true, false},
		{"1000 normal", closed(websocket.StatusNormalClosure), false, false, false},
		{"1008 slow consumer", closed(websocket.StatusPolicyViolation), false, false, false},
		{"1011 internal error", closed(websocket.StatusInternalError), false, false, false},
		{"cut without a close frame", io.ErrUnexpectedEOF, false, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &Fleet{cfg: Config{NoReconnect: tt.noReconnect}}
			c := &conn{f: f, stall: tt.stall}
			if got := c.shouldReconnect(tt.err); got != tt.want {
				t.Errorf("shouldReconnect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTheReconnectDelayEndsWhenTheRunCloses(t *testing.T) {
	f := &Fleet{cfg: Config{ReconnectJitter: time.Hour}, closed: make(chan struct{})}
	close(f.closed)
	f.closing.Store(true)
	if f.reconnectDelay(t.Context()) {
		t.Error("a closing run reconnects")
	}
	f = &Fleet{closed: make(chan struct{})}
	if !f.reconnectDelay(t.Context()) {
		t.Error("no jitter: no reconnect")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if f.wait(ctx, time.Hour) {
		t.Error("a wait outlives its context")
	}
}

func TestTheRetryHintIsReadFromTheCloseReason(t *testing.T) {
	for _, tt := range []struct {
		reason string
		want   time.Duration
	}{
		{"try again later: too many new connections; retry after 2500ms", 2500 * time.Millisecond},
		{"retry after 3s", 3 * time.Second},
		{"retry after 1h", backoffCap},
		{"try again later: connection limit reached", 0},
		{"retry after soon", 0},
		{"retry after -5ms", 0},
		{"", 0},
	} {
		t.Run(tt.reason, func(t *testing.T) {
			err := websocket.CloseError{Code: websocket.StatusTryAgainLater, Reason: tt.reason}
			if got := hintOf(err); got != tt.want {
				t.Errorf("hint %v, want %v", got, tt.want)
			}
		})
	}
}

func TestARefusalIsA1013OrAnHTTP503(t *testing.T) {
	for _, tt := range []struct {
		name    string
		err     error
		refused bool
		hint    time.Duration
	}{
		{"1013 with a hint", websocket.CloseError{Code: websocket.StatusTryAgainLater, Reason: "x; retry after 40ms"}, true, 40 * time.Millisecond},
		{"1013 without a hint", websocket.CloseError{Code: websocket.StatusTryAgainLater}, true, 0},
		{"HTTP 503 with Retry-After", &refusedError{retry: 2 * time.Second}, true, 2 * time.Second},
		{"1001", websocket.CloseError{Code: websocket.StatusGoingAway}, false, 0},
		{"a dial timeout", context.DeadlineExceeded, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hint, refused := refusalOf(tt.err)
			if refused != tt.refused || hint != tt.hint {
				t.Errorf("refusalOf = %v, %v; want %v, %v", hint, refused, tt.hint, tt.refused)
			}
		})
	}
}

func TestTheRetryDelayIsFullJitterUpToTheHintOrTheBackoff(t *testing.T) {
	for _, tt := range []struct {
		name    string
		hint    time.Duration
		attempt int
		ceiling time.Duration
	}{
		{"the hint", 2500 * time.Millisecond, 7, 2500 * time.Millisecond},
		{"first backoff", 0, 0, backoffBase},
		{"doubling", 0, 3, 8 * backoffBase},
		{"capped", 0, 10, backoffCap},
		{"capped far out", 0, 64, backoffCap},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var top time.Duration
			for range 2000 {
				d := retryDelay(tt.hint, tt.attempt)
				if d < 0 || d > tt.ceiling {
					t.Fatalf("delay %v outside [0, %v]", d, tt.ceiling)
				}
				top = max(top, d)
			}
			if top < tt.ceiling/2 {
				t.Errorf("2000 delays all below %v: not spread up to %v", top, tt.ceiling)
			}
		})
	}
}

func TestAnotherURLIsPickedAtRandomAmongTheOthersButTheOneThatSentItAway(t *testing.T) {
	for _, tt := range []struct {
		urls, cur, away int
		want            []int
	}{
		{1, 0, 0, []int{0}},
		{2, 0, 0, []int{1}},
		{2, 1, 0, []int{0}}, // the one that sent it away is the only other
		{5, 0, 0, []int{1, 2, 3, 4}},
		{5, 3, 3, []int{0, 1, 2, 4}},
		{5, 4, 1, []int{0, 2, 3}},
		{5, 1, 4, []int{0, 2, 3}},
		{3, 2, 0, []int{1}},
	} {
		f := &Fleet{cfg: Config{URLs: make([]string, tt.urls)}}
		seen := map[int]int{}
		for range 1000 {
			seen[f.otherURL(tt.cur, tt.away)]++
		}
		got := slices.Sorted(maps.Keys(seen))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%d URLs from %d, sent away by %d: picked %v, want each of %v", tt.urls, tt.cur, tt.away, got, tt.want)
		}
	}
}

// fakeGateway answers every sub with an ack, unless refuse says to turn the
// WebSocket away: with HTTP 503 (status), or with a close after the
// handshake; once armed, when armed is set. Closing goAway closes every
// subscribed connection with 1001, and refuses new ones with HTTP 503, as a
// draining ticker does.
type fakeGateway struct {
	refuse func() (status int, code websocket.StatusCode, reason string)
	armed  *atomic.Bool // nil: refuse from the start
	goAway chan struct{}
	acked  atomic.Int64
	turned atomic.Int64 // refusals answered
	url    string
}

func startFake(t *testing.T, g *fakeGateway) *fakeGateway {
	t.Helper()
	if g.goAway == nil {
		g.goAway = make(chan struct{})
	}
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var status int
		var code websocket.StatusCode
		var reason string
		select {
		case <-g.goAway:
			status = http.StatusServiceUnavailable
		default:
			if g.refuse != nil && (g.armed == nil || g.armed.Load()) {
				status, code, reason = g.refuse()
			}
		}
		if status != 0 || code == websocket.StatusTryAgainLater {
			g.turned.Add(1)
		}
		if status != 0 {
			http.Error(w, "draining", status)
			return
		}
		ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{codec.SubprotocolJSON}})
		if err != nil {
			return
		}
		defer ws.CloseNow()
		if code != 0 {
			_ = ws.Close(code, reason)
			return
		}
		ctx := context.Background()
		if _, _, err := ws.Read(ctx); err != nil {
			return
		}
		if ws.Write(ctx, websocket.MessageText, codec.AppendAck(codec.JSON, nil, codec.IntID(1))) != nil {
			return
		}
		g.acked.Add(1)
		gone := make(chan struct{})
		wg.Add(1)
		go func() { // until the client closes
			defer wg.Done()
			defer close(gone)
			_, _, _ = ws.Read(ctx)
		}()
		select {
		case <-g.goAway:
			_ = ws.Close(websocket.StatusGoingAway, "server shutting down")
		case <-gone:
		}
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close(); wg.Wait() })
	g.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	return g
}

// refuseFirst refuses the first n upgrades with the given answer.
func refuseFirst(n int64, status int, code websocket.StatusCode, reason string) func() (int, websocket.StatusCode, string) {
	var seen atomic.Int64
	return func() (int, websocket.StatusCode, string) {
		if seen.Add(1) <= n {
			return status, code, reason
		}
		return 0, 0, ""
	}
}

func TestARefusedFirstDialIsRetriedAndCountedAsARefusal(t *testing.T) {
	const conns = 6
	hint := "try again later: too many new connections; retry after 20ms"
	for _, tt := range []struct {
		name     string
		refuse   func() (int, websocket.StatusCode, string)
		refusals uint64
		errs     uint64
	}{
		{"admitted at once", nil, 0, 0},
		{"1013 with a retry hint, then admitted", refuseFirst(2*conns, 0, websocket.StatusTryAgainLater, hint), 2 * conns, 0},
		{"1013 without a hint, then admitted", refuseFirst(conns, 0, websocket.StatusTryAgainLater, "try again later"), conns, 0},
		{"HTTP 503, then admitted", refuseFirst(conns, http.StatusServiceUnavailable, 0, ""), conns, 0},
		{"1013 every time: given up", refuseFirst(1<<30, 0, websocket.StatusTryAgainLater, "retry after 1ms"), conns * maxAttempts, conns},
		{"1008 policy: not retried", refuseFirst(1<<30, 0, websocket.StatusPolicyViolation, "origin not allowed"), 0, conns},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := startFake(t, &fakeGateway{refuse: tt.refuse}), startFake(t, &fakeGateway{refuse: tt.refuse})
			cfg := Config{URLs: []string{a.url, b.url}, SubsPerConn: 1, Subjects: 1, Prefix: "quotes.L", DialConcurrency: 2}
			f := New(cfg, 0, conns, nil)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			f.Open(ctx)
			f.Close()
			r := f.Report(nil, nil)
			if r.Refusals != tt.refusals || r.ConnectErrors != tt.errs || r.Subscribed != conns-int(tt.errs) {
				t.Errorf("refusals %d, connect errors %d (%s), subscribed %d; want %d, %d, %d",
					r.Refusals, r.ConnectErrors, r.FirstConnectError, r.Subscribed, tt.refusals, tt.errs, conns-int(tt.errs))
			}
		})
	}
}

func TestAConnectionOfADrainingServerMovesAndIsTimed(t *testing.T) {
	// Each move picks one of the other URLs at random, so the check that
	// the moves spread needs enough of them: with 8, all landed on one
	// URL in about one run of a hundred; with 32 that is about 2^-31.
	const conns = 32
	for _, tt := range []struct {
		name     string
		refuse   func() (int, websocket.StatusCode, string)
		refusals uint64
	}{
		{"admitted at once", nil, 0},
		{"refused with 1013 and a hint first", refuseFirst(conns/2, 0, websocket.StatusTryAgainLater, "retry after 10ms"), conns / 2},
		{"refused with HTTP 503 first", refuseFirst(conns/2, http.StatusServiceUnavailable, 0, ""), conns / 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			armed := new(atomic.Bool) // only the moves are refused; the budget is shared
			draining := startFake(t, &fakeGateway{})
			others := []*fakeGateway{startFake(t, &fakeGateway{refuse: tt.refuse, armed: armed}),
				startFake(t, &fakeGateway{refuse: tt.refuse, armed: armed})}
			cfg := Config{URLs: []string{draining.url, others[0].url, others[1].url}, SubsPerConn: 1, Subjects: 1,
				Prefix: "quotes.L", DialConcurrency: 4, ReconnectJitter: 20 * time.Millisecond}
			// Every connection starts on the draining one.
			f := New(cfg, 0, conns, nil)
			for i, c := range f.conns {
				c.idx = i * len(cfg.URLs)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			f.Open(ctx)
			armed.Store(true)
			close(draining.goAway)
			for f.Progress().Reconnects < conns && ctx.Err() == nil {
				time.Sleep(5 * time.Millisecond)
			}
			f.Close()
			r := f.Report(nil, nil)
			m := r.Moves
			switch {
			case r.Reconnects != conns || r.ConnectErrors != 0 || len(r.Disconnects) != 0:
				t.Errorf("reconnects %d, connect errors %d (%s), disconnects %v; want %d, 0, none",
					r.Reconnects, r.ConnectErrors, r.FirstConnectError, r.Disconnects, conns)
			case r.Refusals != tt.refusals+uint64(draining.turned.Load()):
				t.Errorf("refusals %d, want %d by the others and the %d HTTP 503 of the draining one",
					r.Refusals, tt.refusals, draining.turned.Load())
			case m == nil || m.GoingAway != conns || m.Resubscribed != conns || m.TryAgainLater != 0:
				t.Errorf("moves %+v, want %d going away, all resubscribed", m, conns)
			case m.SpanMs <= 0 || m.MaxGapMs <= 0 || m.MaxGapMs > m.SpanMs+1: // wall clock against monotonic
				t.Errorf("moves %+v: the span from the first 1001 must cover the longest gap", m)
			case others[0].acked.Load() == 0 || others[1].acked.Load() == 0:
				t.Errorf("acked %d and %d: the moves did not spread over the other URLs", others[0].acked.Load(), others[1].acked.Load())
			}
		})
	}
}

func TestAMoveTakesADialSlotAndGivesItBackOnce(t *testing.T) {
	f := New(Config{DialConcurrency: 2}, 0, 0, nil)
	first, ok := f.dialSlot(t.Context())
	if !ok {
		t.Fatal("no slot in an idle fleet")
	}
	second, ok := f.dialSlot(t.Context())
	if !ok {
		t.Fatal("no second slot of two")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, ok := f.dialSlot(ctx); ok {
		t.Fatal("a third handshake under way with DialConcurrency 2")
	}
	first()
	first() // once only: the second slot stays held
	if len(f.dials) != 1 {
		t.Fatalf("%d slots held after one release run twice, want 1", len(f.dials))
	}
	second()
	if len(f.dials) != 0 {
		t.Fatalf("%d slots held after both were released, want 0", len(f.dials))
	}
}

func TestWaitingForADialSlotEndsWhenTheRunCloses(t *testing.T) {
	f := New(Config{DialConcurrency: 1}, 0, 0, nil)
	release, _ := f.dialSlot(t.Context())
	defer release()
	done := make(chan bool)
	go func() {
		_, ok := f.dialSlot(t.Context())
		done <- ok
	}()
	f.closeOnce.Do(func() { f.closing.Store(true); close(f.closed) })
	if <-done {
		t.Fatal("a slot taken past a closing run")
	}
}
