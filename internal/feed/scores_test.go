package feed

import (
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

func TestClock(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "00:00"},
		{time.Millisecond, "00:01"},
		{59 * time.Second, "00:59"},
		{12 * time.Minute, "12:00"},
		{12*time.Minute - time.Millisecond, "12:00"},
		{11*time.Minute + 59*time.Second, "11:59"},
		{20 * time.Minute, "20:00"},
		{95 * time.Minute, "95:00"},
	} {
		if got := clock(c.d); got != c.want {
			t.Errorf("clock(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// clockSecs parses an "MM:SS" clock.
func clockSecs(t *testing.T, c string) int {
	t.Helper()
	var m, s int
	if len(c) != 5 || c[2] != ':' {
		t.Fatalf("clock %q is not MM:SS", c)
	}
	for _, ch := range c[:2] {
		m = m*10 + int(ch-'0')
	}
	for _, ch := range c[3:] {
		s = s*10 + int(ch-'0')
	}
	if s > 59 {
		t.Fatalf("clock %q has %d seconds", c, s)
	}
	return m*60 + s
}

// TestGames plays games for hours of simulated real time in small steps and
// checks each step against the rules of the game's league.
func TestGames(t *testing.T) {
	for _, leagues := range [][]string{{"nba"}, {"nhl"}, {"nba", "nhl", "mlb"}} {
		t.Run(leagues[0]+"+", func(t *testing.T) {
			o, err := Options{Symbols: -1, Games: 8, Leagues: leagues, Seed: 7}.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			now := time.Unix(1_700_000_000, 0)
			f := newFeed(o, now)
			finals := make([]int, len(f.games))
			for i := range f.games {
				if s := f.games[i].s; s.Status != statusLive || s.Period < 1 {
					t.Fatalf("game %s starts %s in period %d", s.Game, s.Status, s.Period)
				}
			}
			const step = 100 * time.Millisecond // one game second
			for range int(40 * time.Minute / step) {
				now = now.Add(step)
				for i := range f.games {
					g := &f.games[i]
					prev := g.s
					f.advance(g, now)
					checkStep(t, g.lg, prev, g.s)
					if prev.Status != statusFinal && g.s.Status == statusFinal {
						finals[i]++
					}
				}
				checkTeams(t, f.games)
			}
			for i, n := range finals {
				if n < 3 {
					t.Errorf("game %s finished %d times in 40 minutes", f.games[i].s.Game, n)
				}
			}
		})
	}
}

// checkStep checks one step of a game from prev to cur.
func checkStep(t *testing.T, lg *league, prev, cur codec.Score) {
	t.Helper()
	if cur.Home == cur.Away || cur.Home == "" {
		t.Fatalf("%s: %s vs %s", cur.Game, cur.Home, cur.Away)
	}
	secs := clockSecs(t, cur.Clock)
	switch cur.Status {
	case statusScheduled:
		if cur.HomeScore != 0 || cur.AwayScore != 0 || cur.Period != 1 || secs != int(lg.periodLen/time.Second) {
			t.Fatalf("%s: scheduled at %d-%d, period %d, %s", cur.Game, cur.HomeScore, cur.AwayScore, cur.Period, cur.Clock)
		}
		return
	case statusFinal:
		if cur.HomeScore == cur.AwayScore || cur.Period < lg.periods || secs != 0 {
			t.Fatalf("%s: final at %d-%d, period %d, %s", cur.Game, cur.HomeScore, cur.AwayScore, cur.Period, cur.Clock)
		}
	case statusLive:
	default:
		t.Fatalf("%s: status %q", cur.Game, cur.Status)
	}
	if prev.Status == statusScheduled {
		return
	}
	if prev.Status == statusFinal {
		if cur.Status != statusFinal {
			t.Fatalf("%s: %s after final", cur.Game, cur.Status)
		}
		if cur != prev {
			t.Fatalf("%s: final changed from %+v to %+v", cur.Game, prev, cur)
		}
		return
	}
	// prev was live: one game second has passed.
	if cur.Home != prev.Home || cur.Away != prev.Away {
		t.Fatalf("%s: teams changed during the game", cur.Game)
	}
	// One scoring play per team and step, two when the step spans a period end.
	plays := map[int]bool{0: true}
	for _, p := range lg.points {
		plays[p] = true
		if cur.Period != prev.Period {
			for _, q := range lg.points {
				plays[p+q] = true
			}
		}
	}
	for _, d := range []int{cur.HomeScore - prev.HomeScore, cur.AwayScore - prev.AwayScore} {
		if !plays[d] && !(cur.Status == statusFinal && d == 1) { // +1: shootout or settled tie
			t.Fatalf("%s: score moved by %d in one game second (%+v -> %+v)", cur.Game, d, prev, cur)
		}
	}
	switch cur.Period {
	case prev.Period:
		if prevSecs := clockSecs(t, prev.Clock); secs > prevSecs || secs < prevSecs-1 && cur.Status == statusLive {
			t.Fatalf("%s: clock went from %s to %s", cur.Game, prev.Clock, cur.Clock)
		}
	case prev.Period + 1:
		if prev.Period >= lg.periods && prev.HomeScore != prev.AwayScore {
			t.Fatalf("%s: overtime after %d-%d", cur.Game, prev.HomeScore, prev.AwayScore)
		}
	default:
		t.Fatalf("%s: period went from %d to %d", cur.Game, prev.Period, cur.Period)
	}
}

// checkTeams checks that no team plays two games at once.
func checkTeams(t *testing.T, games []game) {
	t.Helper()
	playing := make(map[string]string)
	for _, g := range games {
		for _, team := range []string{g.s.Home, g.s.Away} {
			key := g.s.League + " " + team
			if other, ok := playing[key]; ok {
				t.Fatalf("%s plays in %s and %s", key, other, g.s.Game)
			}
			playing[key] = g.s.Game
		}
	}
}
