package client

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/codec"
)

// events collects what a client reports, for tests that wait on it.
type events struct {
	mu      sync.Mutex
	updates []Update
	events  []Event
	changed chan struct{}
}

func newEvents() *events { return &events{changed: make(chan struct{}, 1)} }

func (e *events) onUpdate(u Update) {
	e.mu.Lock()
	e.updates = append(e.updates, u)
	e.mu.Unlock()
	e.signal()
}
func (e *events) onEvent(ev Event) {
	e.mu.Lock()
	e.events = append(e.events, ev)
	e.mu.Unlock()
	e.signal()
}
func (e *events) signal() {
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// wait waits until cond holds of what arrived.
func (e *events) wait(t *testing.T, what string, cond func(us []Update, evs []Event) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		e.mu.Lock()
		ok := cond(e.updates, e.events)
		e.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-e.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func hasState(evs []Event, s State) bool {
	return slices.ContainsFunc(evs, func(e Event) bool { return e.State == s })
}

// runFake runs a client of opts against a fake server until the test ends.
func runFake(t *testing.T, opts Options) (*Client, *fakeServer, *events) {
	t.Helper()
	f := newFakeServer(t)
	e := newEvents()
	opts.URLs, opts.OnUpdate, opts.OnEvent = []string{f.URL}, e.onUpdate, e.onEvent
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return c, f, e
}

func quoteData(last string, seq int) []byte {
	return []byte(`{"symbol":"AAPL","bid":1,"ask":2,"last":` + last + `,"size":1,"volume":5,"seq":` + itoa(seq) + `,"ts":1}`)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestADeltaIsMergedOntoTheLastFullUpdateAndAGapResubscribes(t *testing.T) {
	c, f, e := runFake(t, Options{})
	if err := c.SubscribeWith(SubscribeOptions{Delta: true, MaxRate: 4}, "quotes.>"); err != nil {
		t.Fatal(err)
	}
	conn := f.accept()
	sub := conn.readOp("sub")
	if sub["delta"] != true || sub["max_rate"] != float64(4) {
		t.Fatalf("sub op %v lacks delta and max_rate", sub)
	}
	conn.ack(sub)
	conn.write(codec.AppendMsg(codec.JSON, nil, "quotes.AAPL", quoteData("10", 1), true))
	conn.write(codec.AppendDeltaMsg(codec.JSON, nil, "quotes.AAPL", []byte(`{"last":11,"seq":2,"ts":2}`)))
	e.wait(t, "the merged update", func(us []Update, _ []Event) bool { return len(us) > 0 && us[len(us)-1].Seq == 2 })
	e.mu.Lock()
	u := e.updates[len(e.updates)-1]
	e.mu.Unlock()
	if !u.Delta || u.Quote == nil || u.Quote.Last != 11 || u.Quote.Volume != 5 || u.Quote.Symbol != "AAPL" || u.Seq != 2 || u.TS != 2 {
		t.Fatalf("merged update %+v quote %+v", u, u.Quote)
	}

	// seq 4 does not follow 2: reported, not delivered, and the pattern is
	// subscribed again.
	conn.write(codec.AppendDeltaMsg(codec.JSON, nil, "quotes.AAPL", []byte(`{"last":99,"seq":4,"ts":4}`)))
	resub := conn.readOp("sub")
	if !slices.Equal(toStrings(resub["subjects"]), []string{"quotes.>"}) || resub["delta"] != true {
		t.Fatalf("resubscribe %v", resub)
	}
	// Deltas before the snapshot are dropped.
	conn.write(codec.AppendDeltaMsg(codec.JSON, nil, "quotes.AAPL", []byte(`{"last":98,"seq":5,"ts":5}`)))
	conn.ack(resub)
	conn.write(codec.AppendMsg(codec.JSON, nil, "quotes.AAPL", quoteData("50", 6), true))
	conn.write(codec.AppendDeltaMsg(codec.JSON, nil, "quotes.AAPL", []byte(`{"last":51,"seq":7,"ts":7}`)))
	e.wait(t, "the update after the snapshot", func(us []Update, _ []Event) bool { return us[len(us)-1].Seq == 7 })
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, u := range e.updates {
		if u.Quote.Last == 99 || u.Quote.Last == 98 {
			t.Fatalf("an unmergeable delta was delivered: %+v", u.Quote)
		}
	}
	if last := e.updates[len(e.updates)-1].Quote; last.Last != 51 || last.Volume != 5 {
		t.Fatalf("after the snapshot %+v", last)
	}
	i := slices.IndexFunc(e.events, func(ev Event) bool { return ev.State == Resync })
	var de *DeltaError
	if i < 0 || !errors.As(e.events[i].Err, &de) || de.Seq != 4 || de.Base != 2 || e.events[i].Subject != "quotes.AAPL" {
		t.Fatalf("no Resync event with a DeltaError: %+v", e.events)
	}
	if st := c.Stats(); st.DeltaErrors != 1 || st.DeltaDropped != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestADeltaWithoutABaseIsAnError(t *testing.T) {
	d := newDeltaStore()
	_, _, err := d.apply(Message{Subject: "quotes.X", Delta: true, Data: []byte(`{"seq":3,"ts":1}`)}, true)
	var de *DeltaError
	if !errors.As(err, &de) || de.HasBase {
		t.Fatalf("got %v", err)
	}
}

func TestMsgpackDeltasMerge(t *testing.T) {
	full := must(msgpack.Marshal(map[string]any{"symbol": "X", "last": 1.5, "seq": 1, "ts": 1}))
	delta := must(msgpack.Marshal(map[string]any{"last": 2.5, "seq": 2, "ts": 2}))
	d := newDeltaStore()
	if _, _, err := d.apply(Message{Subject: "quotes.X", Data: full, Codec: Msgpack}, true); err != nil {
		t.Fatal(err)
	}
	m, _, err := d.apply(Message{Subject: "quotes.X", Delta: true, Data: delta, Codec: Msgpack}, true)
	if err != nil {
		t.Fatal(err)
	}
	var q Quote
	if err := m.Decode(&q); err != nil || q.Symbol != "X" || q.Last != 2.5 || q.Seq != 2 {
		t.Fatalf("merged %+v %v", q, err)
	}
}

func TestARevokedPatternIsDroppedAndNotResubscribed(t *testing.T) {
	c, f, e := runFake(t, Options{})
	if err := c.Subscribe("quotes.>", "scores.>"); err != nil {
		t.Fatal(err)
	}
	conn := f.accept()
	conn.ack(conn.readOp("sub"))
	conn.write(codec.AppendRevoked(codec.JSON, nil, codec.IntID(7), []string{"scores.>"}, "forbidden", "not granted by the new token"))
	e.wait(t, "Revoked", func(_ []Update, evs []Event) bool { return hasState(evs, Revoked) })
	_ = conn.ws.CloseNow()
	again := f.accept()
	sub := again.readOp("sub")
	if got := toStrings(sub["subjects"]); !slices.Equal(got, []string{"quotes.>"}) {
		t.Fatalf("resubscribed %v", got)
	}
}

func TestTheTokenIsRefreshedOnTheOpenConnectionAndABadTokenIsRetried(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	tokenFunc := func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		// Short-lived (exp to the millisecond): the refresh is due within 3 s.
		exp := float64(time.Now().Add(3*time.Second).UnixMilli()) / 1000
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": exp, "n": calls})
		return tok.SignedString([]byte("k"))
	}
	c, f, e := runFake(t, Options{TokenFunc: tokenFunc})
	if err := c.Subscribe("quotes.>"); err != nil {
		t.Fatal(err)
	}
	conn := f.accept()
	conn.ack(conn.readOp("sub"))
	auth := conn.readOp("auth")
	if tok, _ := auth["token"].(string); tok == "" {
		t.Fatalf("auth op %v without a token", auth)
	}
	conn.write(codec.AppendError(codec.JSON, nil, idOfOp(auth), CodeBadToken, "token expired"))
	e.wait(t, "TokenRefused", func(_ []Update, evs []Event) bool { return hasState(evs, TokenRefused) })
	retry := conn.readOp("auth")
	conn.ack(retry)
	e.wait(t, "TokenRefreshed", func(_ []Update, evs []Event) bool { return hasState(evs, TokenRefreshed) })
	e.mu.Lock()
	defer e.mu.Unlock()
	i := slices.IndexFunc(e.events, func(ev Event) bool { return ev.State == TokenRefused })
	var se *ServerError
	if !errors.As(e.events[i].Err, &se) || se.Code != CodeBadToken || e.events[i].RetryIn <= 0 {
		t.Fatalf("TokenRefused %+v", e.events[i])
	}
}

func TestRefreshTimesFallInTheirWindow(t *testing.T) {
	for _, r := range []float64{0, 0.5, 0.999} {
		d := refreshDelay(100*time.Second, r)
		if d < 75*time.Second || d >= 90*time.Second {
			t.Errorf("r=%v: refresh after %v", r, d)
		}
	}
	for n, want := range map[int]time.Duration{1: time.Second, 3: 4 * time.Second, 10: 30 * time.Second} {
		if d := refreshRetry(n, 0.999); d > want || d < want/2 {
			t.Errorf("retry %d after %v, want just under %v", n, d, want)
		}
	}
	if !tokenExpiry("not a jwt").IsZero() {
		t.Error("an expiry read from garbage")
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestSubscribeOptionsGoInBothCodecs(t *testing.T) {
	op := outOp{id: 3, name: "sub", subjects: []string{"quotes.>"}, opts: SubscribeOptions{MaxRate: 2.5, Delta: true}}.encode()
	for _, k := range []Codec{JSON, Msgpack} {
		b, err := encodeOp(k, op)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			MaxRate float64 `json:"max_rate" msgpack:"max_rate"`
			Delta   bool    `json:"delta" msgpack:"delta"`
		}
		if err := decodeData(k, b, &got); err != nil || got.MaxRate != 2.5 || !got.Delta {
			t.Errorf("%v: %+v %v", k, got, err)
		}
	}
	auth := outOp{id: 4, name: "auth", token: "t"}.encode()
	if auth["token"] != "t" || auth["op"] != "auth" || auth["id"] != int64(4) {
		t.Errorf("auth op %v", auth)
	}
}

// FuzzMergeData: merging never panics, and a merge that succeeds reads
// back as an object holding every field of the delta.
func FuzzMergeData(f *testing.F) {
	f.Add([]byte(`{"a":1,"seq":1}`), []byte(`{"a":2,"seq":2}`))
	f.Add([]byte(`null`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, full, delta []byte) {
		out, err := mergeData(JSON, full, delta)
		if err != nil {
			return
		}
		var m map[string]any
		if err := decodeData(JSON, out, &m); err != nil {
			t.Fatalf("merged %q does not read back: %v", out, err)
		}
	})
}
