package feed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
	"github.com/vmihailenco/msgpack/v5"
)

// update is one published update, its payload copied.
type update struct {
	subject string
	data    []byte
}

// recorder is a publish function that keeps copies of what it is given.
type recorder struct {
	mu      sync.Mutex
	updates []update
}

func (r *recorder) publish(subject string, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, update{subject, bytes.Clone(data)})
	return nil
}

func (r *recorder) all() []update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.updates
}

// runFor runs the feed for d and returns its stats.
func runFor(t *testing.T, d time.Duration, pub publishFunc, o Options) Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	st, err := Run(ctx, pub, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return st
}

// checkUpdates decodes every update and checks the feed's promises: valid
// subjects that match the payload, msgpack bytes as msgpack.Marshal makes
// them, seq +1 per subject from 1, ts never going back, sane quotes and scores.
func checkUpdates(t *testing.T, updates []update) (quotes, scores map[string]int) {
	t.Helper()
	quotes, scores = make(map[string]int), make(map[string]int)
	seqs := make(map[string]uint64)
	tss := make(map[string]int64)
	for _, u := range updates {
		checkSubject(t, u.subject)
		var seq uint64
		var ts int64
		var v any
		switch {
		case strings.HasPrefix(u.subject, "quotes."):
			var q codec.Quote
			if err := msgpack.Unmarshal(u.data, &q); err != nil {
				t.Fatalf("%s: %v", u.subject, err)
			}
			if u.subject != codec.QuoteSubject(q.Symbol) {
				t.Fatalf("quote of %s on %s", q.Symbol, u.subject)
			}
			if !(0 < q.Bid && q.Bid <= q.Last && q.Last <= q.Ask) || q.Size <= 0 || q.Volume < q.Size {
				t.Fatalf("%s: bad quote %+v", u.subject, q)
			}
			quotes[u.subject]++
			seq, ts, v = q.Seq, q.TS, &q
		case strings.HasPrefix(u.subject, "scores."):
			var s codec.Score
			if err := msgpack.Unmarshal(u.data, &s); err != nil {
				t.Fatalf("%s: %v", u.subject, err)
			}
			if u.subject != codec.ScoreSubject(s.League, s.Game) {
				t.Fatalf("score of %s %s on %s", s.League, s.Game, u.subject)
			}
			if s.Status != statusLive && s.Status != statusFinal && s.Status != statusScheduled ||
				s.Period < 1 || s.HomeScore < 0 || s.AwayScore < 0 || s.Home == s.Away {
				t.Fatalf("%s: bad score %+v", u.subject, s)
			}
			clockSecs(t, s.Clock)
			scores[u.subject]++
			seq, ts, v = s.Seq, s.TS, &s
		default:
			t.Fatalf("unexpected subject %q", u.subject)
		}
		if want := seqs[u.subject] + 1; seq != want {
			t.Fatalf("%s: seq %d, want %d", u.subject, seq, want)
		}
		seqs[u.subject] = seq
		if ts < tss[u.subject] || ts <= 0 {
			t.Fatalf("%s: ts %d after %d", u.subject, ts, tss[u.subject])
		}
		tss[u.subject] = ts
		if b, err := msgpack.Marshal(v); err != nil || !bytes.Equal(b, u.data) {
			t.Fatalf("%s: payload %x, msgpack.Marshal %x (%v)", u.subject, u.data, b, err)
		}
	}
	return quotes, scores
}

// checkSubject checks a subject against the ticker.v1 subject rules.
func checkSubject(t *testing.T, s string) {
	t.Helper()
	tokens := strings.Split(s, ".")
	if len(s) > 256 || len(tokens) > 16 {
		t.Fatalf("subject %q is too long", s)
	}
	for _, tok := range tokens {
		if !validToken(tok) {
			t.Fatalf("subject %q has an invalid token %q", s, tok)
		}
	}
}

func TestRun(t *testing.T) {
	var r recorder
	const rate, d = 1000, 300 * time.Millisecond
	st := runFor(t, d, r.publish, Options{Symbols: 10, Games: 4, Rate: rate, Seed: 1})
	updates := r.all()
	if st.Published != uint64(len(updates)) || st.Errors != 0 {
		t.Fatalf("stats %+v after %d updates", st, len(updates))
	}
	// Loose: a shared, noisy machine may be slow, but never 10 times too fast.
	if want := rate * d.Seconds(); st.Published == 0 || float64(st.Published) > 10*want {
		t.Fatalf("published %d updates in %v at rate %v", st.Published, d, rate)
	}
	quotes, scores := checkUpdates(t, updates)
	t.Logf("published %d: %d quote and %d score subjects", st.Published, len(quotes), len(scores))
	// Every round visits every subject once, so counts differ by one at most.
	lo, hi := math.MaxInt, 0
	for _, m := range []map[string]int{quotes, scores} {
		for _, n := range m {
			lo, hi = min(lo, n), max(hi, n)
		}
	}
	if len(updates) >= 14 && (len(quotes) != 10 || len(scores) != 4 || hi-lo > 1) {
		t.Errorf("uneven rounds: %d quote and %d score subjects, %d to %d updates each", len(quotes), len(scores), lo, hi)
	}
}

func TestRunDefaults(t *testing.T) {
	var r recorder
	st := runFor(t, 100*time.Millisecond, r.publish, Options{})
	quotes, scores := checkUpdates(t, r.all())
	if st.Published == 0 {
		t.Fatal("published nothing")
	}
	for s := range quotes {
		if !strings.HasPrefix(s, "quotes.") {
			t.Errorf("quote subject %s", s)
		}
	}
	for s := range scores {
		if !strings.HasPrefix(s, "scores.nba.g") && !strings.HasPrefix(s, "scores.nhl.g") {
			t.Errorf("score subject %s", s)
		}
	}
}

func TestRunOnlyScores(t *testing.T) {
	var r recorder
	runFor(t, 100*time.Millisecond, r.publish, Options{Symbols: -1, Games: 3, Leagues: []string{"mlb"}, Rate: 500})
	quotes, scores := checkUpdates(t, r.all())
	if len(quotes) != 0 || len(scores) == 0 {
		t.Fatalf("%d quote and %d score subjects", len(quotes), len(scores))
	}
}

func TestRunLowRate(t *testing.T) {
	var r recorder
	start := time.Now()
	st := runFor(t, 150*time.Millisecond, r.publish, Options{Rate: 5})
	elapsed := time.Since(start)
	// The first update goes out at once, the next one 200ms later.
	if st.Published < 1 || st.Published > 2+uint64(5*elapsed.Seconds()) {
		t.Fatalf("published %d at 5/s in %v", st.Published, elapsed)
	}
	checkUpdates(t, r.all())
}

func TestRunStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var r recorder
	st, err := Run(ctx, r.publish, Options{Rate: 1e6})
	if err != nil || st.Published != 0 || len(r.all()) != 0 {
		t.Fatalf("Run after cancel = %+v, %v; %d updates", st, err, len(r.all()))
	}

	ctx, cancel = context.WithCancel(t.Context())
	done := make(chan Stats)
	go func() {
		st, err := Run(ctx, func(string, []byte) error { return nil }, Options{Rate: 1e6})
		if err != nil {
			t.Error(err)
		}
		done <- st
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case st := <-done:
		if st.Published == 0 {
			t.Error("published nothing at 1e6/s in 50ms")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestRunPublishErrors(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	fail := errors.New("no route")
	calls := 0
	pub := func(string, []byte) error {
		calls++
		if calls%2 == 0 {
			return nil
		}
		return fail
	}
	start := time.Now()
	st := runFor(t, 200*time.Millisecond, pub, Options{Rate: 1000, Logger: log})
	elapsed := time.Since(start)
	if st.Errors == 0 || st.Published+st.Errors != uint64(calls) {
		t.Fatalf("stats %+v after %d calls", st, calls)
	}
	lines := strings.Count(logs.String(), "\n")
	if lines < 1 || lines > 1+int(elapsed/time.Second) {
		t.Errorf("%d log lines in %v:\n%s", lines, elapsed, logs.String())
	}
	if !strings.Contains(logs.String(), "no route") {
		t.Errorf("log does not name the error:\n%s", logs.String())
	}
}

func TestRunInvalidOptions(t *testing.T) {
	nop := func(string, []byte) error { return nil }
	for name, o := range map[string]Options{
		"negative rate":     {Rate: -1},
		"NaN rate":          {Rate: math.NaN()},
		"infinite rate":     {Rate: math.Inf(1)},
		"bad league":        {Leagues: []string{"nba", "n.b.a"}},
		"empty league":      {Leagues: []string{""}},
		"no leagues":        {Leagues: []string{}},
		"nothing":           {Symbols: -1, Games: -1},
		"too many symbols":  {Symbols: maxSubjects + 1},
		"too many games":    {Games: maxSubjects + 1},
		"a billion symbols": {Symbols: 1e9, Games: -1},
	} {
		if _, err := Run(t.Context(), nop, o); err == nil {
			t.Errorf("%s: Run(%+v) did not fail", name, o)
		}
	}
	if _, err := Run(t.Context(), nil, Options{}); err == nil {
		t.Error("Run with a nil publish function did not fail")
	}
	// No leagues is fine without games.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Run(ctx, nop, Options{Games: -1, Leagues: []string{}}); err != nil {
		t.Errorf("quotes only: %v", err)
	}
}

func TestPublishAllocs(t *testing.T) {
	o, _ := Options{Seed: 3}.withDefaults()
	f := newFeed(o, time.Now())
	pub := func(string, []byte) error { return nil }
	allocs := testing.AllocsPerRun(10_000, func() { f.publishNext(pub, time.Now()) })
	if allocs > 0 {
		t.Errorf("%v allocations per update", allocs)
	}
}

func BenchmarkPublish(b *testing.B) {
	o, _ := Options{Seed: 3}.withDefaults()
	f := newFeed(o, time.Now())
	pub := func(string, []byte) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		f.publishNext(pub, time.Now())
	}
}
