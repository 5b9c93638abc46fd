package feed

import (
	"fmt"
	"time"

	"github.com/ticker-dev/ticker/internal/codec"
)

// Game status values, as published in codec.Score.Status.
const (
	statusScheduled = "scheduled"
	statusLive      = "live"
	statusFinal     = "final"
)

// Game pacing. Games run faster than real time so that a demo shows periods
// ending, games going final and new games starting within minutes.
const (
	gameSpeed     = 10               // game seconds per real second
	finalHold     = 20 * time.Second // real time a finished game stays "final"
	scheduledHold = 10 * time.Second // real time the next matchup stays "scheduled"
	maxOvertimes  = 4                // after this many, a tie is settled at random
)

// league holds a league's teams and rules.
type league struct {
	teams       []string
	periods     int           // regulation periods
	periodLen   time.Duration // game time of a regulation period
	otLen       time.Duration // game time of an overtime period
	suddenDeath bool          // the first score in overtime ends the game
	shootout    bool          // a tie after one overtime is settled by a shootout (+1)
	scoreRate   float64       // scoring plays per team per game second
	points      []int         // points of a scoring play, picked uniformly
}

// leagues are the leagues the feed knows; read only.
var leagues = map[string]*league{
	"nba": {
		teams: []string{
			"BOS", "LAL", "GSW", "MIA", "NYK", "CHI", "DAL", "DEN", "PHX", "MIL",
			"PHI", "CLE", "OKC", "MIN", "SAC", "LAC", "NOP", "MEM", "ATL", "BKN",
			"TOR", "IND", "ORL", "HOU", "SAS", "UTA", "POR", "CHA", "DET", "WAS",
		},
		periods:   4,
		periodLen: 12 * time.Minute,
		otLen:     5 * time.Minute,
		scoreRate: 50.0 / (48 * 60), // about 110 points a team
		points:    []int{2, 2, 2, 3},
	},
	"nhl": {
		teams: []string{
			"TOR", "MTL", "BOS", "NYR", "CHI", "DET", "EDM", "VAN", "CGY", "OTT",
			"PIT", "PHI", "WSH", "TBL", "FLA", "CAR", "NJD", "NYI", "BUF", "CBJ",
			"COL", "DAL", "MIN", "STL", "NSH", "WPG", "VGK", "LAK", "ANA", "SJS",
			"SEA", "UTA",
		},
		periods:     3,
		periodLen:   20 * time.Minute,
		otLen:       5 * time.Minute,
		suddenDeath: true,
		shootout:    true,
		scoreRate:   3.0 / (60 * 60), // about 3 goals a team
		points:      []int{1},
	},
}

// genericLeague returns the rules for a league the feed does not know.
func genericLeague() *league {
	return &league{
		teams: []string{
			"ALP", "BRV", "CHR", "DLT", "ECH", "FOX", "GLF", "HTL",
			"IND", "JLT", "KLO", "LMA", "MIK", "NOV", "OSC", "PAP",
		},
		periods:   4,
		periodLen: 15 * time.Minute,
		otLen:     5 * time.Minute,
		scoreRate: 20.0 / (60 * 60),
		points:    []int{1, 2, 3},
	}
}

// game is the state of one game slot. When its game ends, the slot shows it as
// final for a while, then a new matchup under the same game id: the set of
// score subjects stays fixed, so caches of last values stay bounded.
type game struct {
	lg        *league
	subject   string
	s         codec.Score   // the full state published, Seq and TS included
	remaining time.Duration // game time left in the period
	// at is the real time the game has been simulated up to while live, and
	// the end of the current phase while final or scheduled.
	at time.Time
}

// newGames fills f.games with o.Games slots spread over o.Leagues, each live
// and already some way into its game as of real time now.
func (f *feed) newGames(o Options, now time.Time) {
	byName := make(map[string]*league)
	f.games = make([]game, o.Games)
	for i := range f.games {
		name := o.Leagues[i%len(o.Leagues)]
		lg := byName[name]
		if lg == nil {
			if lg = leagues[name]; lg == nil {
				lg = genericLeague()
			}
			byName[name] = lg
		}
		id := fmt.Sprintf("g%04d", i+1)
		f.games[i] = game{
			lg:      lg,
			subject: codec.ScoreSubject(name, id),
			s:       codec.Score{League: name, Game: id},
		}
	}
	for i := range f.games {
		g := &f.games[i]
		regulation := time.Duration(g.lg.periods) * g.lg.periodLen
		played := time.Duration(f.rng.Float64() * 0.9 * float64(regulation))
		f.startGame(g, statusLive, now.Add(-played/gameSpeed))
		f.advance(g, now)
	}
}

// startGame sets up a new matchup in g at 0-0, as of real time now.
func (f *feed) startGame(g *game, status string, now time.Time) {
	g.s.Home, g.s.Away = f.matchup(g)
	g.s.HomeScore, g.s.AwayScore = 0, 0
	g.s.Period = 1
	g.remaining = g.lg.periodLen
	g.s.Clock = clock(g.remaining)
	g.s.Status = status
	g.at = now
}

// matchup picks two different teams of g's league, avoiding teams playing in
// other slots of the league while there are enough teams to go round.
func (f *feed) matchup(g *game) (home, away string) {
	teams := g.lg.teams
	free := make([]string, 0, len(teams))
	for _, t := range teams {
		busy := false
		for j := range f.games {
			o := &f.games[j]
			if o != g && o.lg == g.lg && (o.s.Home == t || o.s.Away == t) {
				busy = true
				break
			}
		}
		if !busy {
			free = append(free, t)
		}
	}
	if len(free) < 2 {
		free = teams
	}
	h := f.rng.IntN(len(free))
	a := f.rng.IntN(len(free) - 1)
	if a >= h {
		a++
	}
	return free[h], free[a]
}

// advance brings g up to real time now: plays the game on, and moves a
// finished game through final and scheduled to a new live game.
func (f *feed) advance(g *game, now time.Time) {
	for {
		switch g.s.Status {
		case statusLive:
			if !f.play(g, now) {
				return
			}
		case statusFinal:
			if now.Before(g.at) {
				return
			}
			f.startGame(g, statusScheduled, g.at.Add(scheduledHold))
		default: // scheduled
			if now.Before(g.at) {
				return
			}
			g.s.Status = statusLive
		}
	}
}

// play runs a live game on to real time now, scoring at random. It reports
// whether the game ended; if so g is final until finalHold after the end.
func (f *feed) play(g *game, now time.Time) (ended bool) {
	budget := time.Duration(float64(now.Sub(g.at)) * gameSpeed)
	if budget <= 0 {
		return false
	}
	g.at = now
	lg := g.lg
	for budget > 0 {
		step := min(budget, time.Second, g.remaining)
		budget -= step
		g.remaining -= step
		p := lg.scoreRate * step.Seconds()
		if f.rng.Float64() < p {
			g.s.HomeScore += lg.points[f.rng.IntN(len(lg.points))]
		}
		if f.rng.Float64() < p {
			g.s.AwayScore += lg.points[f.rng.IntN(len(lg.points))]
		}
		if lg.suddenDeath && g.s.Period > lg.periods && g.s.HomeScore != g.s.AwayScore {
			g.remaining = 0
		}
		if g.remaining > 0 || !f.endPeriod(g) {
			continue
		}
		// The game ended budget game-time ago.
		g.s.Clock = clock(0)
		g.at = now.Add(-time.Duration(float64(budget)/gameSpeed) + finalHold)
		return true
	}
	g.s.Clock = clock(g.remaining)
	return false
}

// endPeriod ends g's current period: it starts the next one (overtime while
// tied) and reports false, or makes the game final and reports true.
func (f *feed) endPeriod(g *game) (over bool) {
	lg := g.lg
	s := &g.s
	if s.Period < lg.periods {
		s.Period++
		g.remaining = lg.periodLen
		return false
	}
	if s.HomeScore == s.AwayScore {
		ot := s.Period - lg.periods // overtimes played
		if !(lg.shootout && ot >= 1) && ot < maxOvertimes {
			s.Period++
			g.remaining = lg.otLen
			return false
		}
		if f.rng.IntN(2) == 0 { // shootout, or enough overtime
			s.HomeScore++
		} else {
			s.AwayScore++
		}
	}
	g.remaining = 0
	s.Status = statusFinal
	return true
}

// clocks[s] is the game clock showing s seconds, "MM:SS", for every s a
// regulation or overtime period can show, so that the hot path never formats.
var clocks = func() []string {
	c := make([]string, 20*60+1)
	for s := range c {
		c[s] = fmt.Sprintf("%02d:%02d", s/60, s%60)
	}
	return c
}()

// clock formats a period's remaining game time, rounding up to the second so
// that a period starts at its full length and ends at 00:00.
func clock(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s < len(clocks) {
		return clocks[s]
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}
