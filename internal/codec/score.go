package codec

// Score is the full state of one game, published on scores.<league>.<game>.
type Score struct {
	League    string `msgpack:"league" json:"league"`
	Game      string `msgpack:"game" json:"game"`
	Home      string `msgpack:"home" json:"home"`
	Away      string `msgpack:"away" json:"away"`
	HomeScore int    `msgpack:"home_score" json:"home_score"`
	AwayScore int    `msgpack:"away_score" json:"away_score"`
	Period    int    `msgpack:"period" json:"period"`
	Clock     string `msgpack:"clock" json:"clock"`
	Status    string `msgpack:"status" json:"status"` // "scheduled", "live" or "final"
	Seq       uint64 `msgpack:"seq" json:"seq"`       // +1 per subject at the publisher
	TS        int64  `msgpack:"ts" json:"ts"`         // publish time, Unix nanoseconds
}

// ScoreSubject is the NATS subject of a game's scores.
func ScoreSubject(league, game string) string { return "scores." + league + "." + game }
