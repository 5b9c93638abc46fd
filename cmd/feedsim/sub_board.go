package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// board is the model of the live table: the newest quote of each symbol,
// the newest score of each game, and the status line's figures. It draws
// itself as lines of text; it does no I/O and takes no lock (the table view
// holds one).
type board struct {
	codec    client.Codec
	quotes   map[string]*quoteRow // symbol ->
	scores   map[string]*scoreRow // league.game ->
	others   map[string]struct{}  // subjects that are neither
	updates  int
	status   client.Event // the last state change
	rate     rateMeter
	latency  latencies
	lastSeen time.Time
}

type quoteRow struct {
	q   client.Quote
	ref float64 // the first last price seen: ticker.v1 quotes carry no session open
}

type scoreRow struct{ s client.Score }

func newBoard(k client.Codec) *board {
	return &board{codec: k, quotes: map[string]*quoteRow{}, scores: map[string]*scoreRow{}, others: map[string]struct{}{},
		status: client.Event{State: client.Connecting}}
}

func (b *board) update(u client.Update) {
	b.updates++
	b.rate.add(u.Received)
	if l := u.Latency(); l > 0 {
		b.latency.add(l)
	}
	switch {
	case u.Quote != nil:
		r := b.quotes[u.Quote.Symbol]
		if r == nil {
			r = &quoteRow{ref: u.Quote.Last}
			b.quotes[u.Quote.Symbol] = r
		}
		r.q = *u.Quote
	case u.Score != nil:
		b.scores[u.Score.League+"."+u.Score.Game] = &scoreRow{s: *u.Score}
	default:
		b.others[u.Subject] = struct{}{}
	}
}

func (b *board) event(e client.Event) {
	if e.State != client.Refused {
		b.status = e
	}
}

// render draws the board for a screen of width × height at now: the status
// line, the quotes, the scores. What does not fit is cut, with a line that
// says how much.
func (b *board) render(now time.Time, width, height int) []string {
	out := []string{b.statusLine(now), ""}
	quotes := b.quoteLines(now)
	scores := b.scoreLines(now)
	room := height - len(out)
	if len(scores) > 0 {
		room-- // the line between the two
	}
	// When both do not fit, the scores get a third of the room (a game
	// changes less often than a price, but there are fewer of them).
	nScores := len(scores)
	if len(quotes)+nScores > room {
		nScores = min(nScores, max(room/3, 3))
	}
	out = append(out, fit(quotes, max(room-nScores, 2))...)
	if len(scores) > 0 {
		out = append(out, "")
		out = append(out, fit(scores, max(nScores, 2))...)
	}
	if len(out) > height {
		out = out[:height]
	}
	for i, l := range out {
		if len(l) > width {
			out[i] = l[:width]
		}
	}
	return out
}

// fit cuts a header and its rows to n lines, the last saying what was cut.
func fit(rows []string, n int) []string {
	if len(rows) <= n {
		return rows
	}
	kept := rows[:n-1]
	return append(kept, fmt.Sprintf("  ... %d more", len(rows)-len(kept)))
}

func (b *board) statusLine(now time.Time) string {
	e := b.status
	var s strings.Builder
	fmt.Fprintf(&s, "%s", e.State)
	switch e.State {
	case client.Closed:
		fmt.Fprintf(&s, " %d %s", e.Code, e.Reason)
		if !e.Final {
			fmt.Fprintf(&s, ", retry in %v", e.RetryIn.Round(time.Millisecond))
		}
	case client.Connecting:
		if e.Attempt > 0 {
			fmt.Fprintf(&s, " (attempt %d)", e.Attempt+1)
		}
	}
	if e.URL != "" {
		fmt.Fprintf(&s, " · %s", e.URL)
	}
	fmt.Fprintf(&s, " · %s · %.0f msg/s · p50 %s · %d updates", b.codec, b.rate.perSecond(now), fmtLatency(b.latency.p50()), b.updates)
	if n := len(b.others); n > 0 {
		fmt.Fprintf(&s, " (%d other subjects)", n)
	}
	return s.String()
}

func (b *board) quoteLines(now time.Time) []string {
	if len(b.quotes) == 0 {
		return nil
	}
	out := []string{fmt.Sprintf("%-10s %12s %10s %8s %12s %12s %7s", "SYMBOL", "LAST", "CHANGE", "CHG%", "BID", "ASK", "AGE")}
	for _, sym := range slices.Sorted(maps.Keys(b.quotes)) {
		r := b.quotes[sym]
		q := r.q
		chg, pct := q.Last-r.ref, 0.0
		if r.ref != 0 {
			pct = 100 * chg / r.ref
		}
		out = append(out, fmt.Sprintf("%-10s %12.2f %+10.2f %+7.2f%% %12.2f %12.2f %7s",
			sym, q.Last, chg, pct, q.Bid, q.Ask, age(now, q.TS)))
	}
	return out
}

func (b *board) scoreLines(now time.Time) []string {
	if len(b.scores) == 0 {
		return nil
	}
	rows := slices.SortedFunc(maps.Values(b.scores), func(x, y *scoreRow) int {
		return cmp.Or(cmp.Compare(x.s.League, y.s.League), cmp.Compare(x.s.Game, y.s.Game))
	})
	out := []string{fmt.Sprintf("%-14s %-6s %5s  %-6s %5s %6s %6s %-9s %7s", "GAME", "HOME", "", "AWAY", "", "PERIOD", "CLOCK", "STATUS", "AGE")}
	for _, r := range rows {
		s := r.s
		out = append(out, fmt.Sprintf("%-14s %-6s %5d  %-6s %5d %6d %6s %-9s %7s",
			s.League+" "+s.Game, s.Home, s.HomeScore, s.Away, s.AwayScore, s.Period, s.Clock, s.Status, age(now, s.TS)))
	}
	return out
}

// age is how long ago ts (Unix nanoseconds) was, short.
func age(now time.Time, ts int64) string {
	if ts == 0 {
		return "-"
	}
	d := now.Sub(time.Unix(0, ts))
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}

func fmtLatency(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// rateMeter counts updates per second over the last second, in ten slots.
type rateMeter struct {
	slot  [10]int
	start [10]int64 // the 100 ms slot each count belongs to
}

func (r *rateMeter) add(at time.Time) {
	n := at.UnixMilli() / 100
	i := n % 10
	if r.start[i] != n {
		r.start[i], r.slot[i] = n, 0
	}
	r.slot[i]++
}

func (r *rateMeter) perSecond(now time.Time) float64 {
	n := now.UnixMilli() / 100
	total := 0
	for i := range r.slot {
		if n-r.start[i] < 10 {
			total += r.slot[i]
		}
	}
	return float64(total)
}

// latencies keeps the last few end-to-end latencies for their median.
type latencies struct {
	ring [512]time.Duration
	n    int
}

func (l *latencies) add(d time.Duration) {
	l.ring[l.n%len(l.ring)] = d
	l.n++
}

func (l *latencies) p50() time.Duration {
	k := min(l.n, len(l.ring))
	if k == 0 {
		return 0
	}
	s := slices.Clone(l.ring[:k])
	slices.Sort(s)
	return s[k/2]
}
