package client

import (
	"strings"
	"time"
)

// Quote is the full state of one instrument, published on quotes.<SYMBOL>.
type Quote struct {
	Symbol string  `json:"symbol" msgpack:"symbol"`
	Bid    float64 `json:"bid" msgpack:"bid"`
	Ask    float64 `json:"ask" msgpack:"ask"`
	Last   float64 `json:"last" msgpack:"last"`
	Size   int64   `json:"size" msgpack:"size"`
	Volume int64   `json:"volume" msgpack:"volume"`
	Seq    uint64  `json:"seq" msgpack:"seq"`
	TS     int64   `json:"ts" msgpack:"ts"` // publish time, Unix nanoseconds
}

// Score is the full state of one game, published on scores.<league>.<game>.
type Score struct {
	League    string `json:"league" msgpack:"league"`
	Game      string `json:"game" msgpack:"game"`
	Home      string `json:"home" msgpack:"home"`
	Away      string `json:"away" msgpack:"away"`
	HomeScore int    `json:"home_score" msgpack:"home_score"`
	AwayScore int    `json:"away_score" msgpack:"away_score"`
	Period    int    `json:"period" msgpack:"period"`
	Clock     string `json:"clock" msgpack:"clock"`
	Status    string `json:"status" msgpack:"status"` // "scheduled", "live" or "final"
	Seq       uint64 `json:"seq" msgpack:"seq"`
	TS        int64  `json:"ts" msgpack:"ts"` // publish time, Unix nanoseconds
}

// Update is one update on a subscribed subject, as Options.OnUpdate gets it.
type Update struct {
	Subject string
	// Snapshot is true on a last value replayed after a (re)subscribe: the
	// current state, possibly one you have seen already.
	Snapshot bool
	// Quote is set on quotes.<SYMBOL>, Score on scores.<league>.<game>, when
	// the data reads as one; both are nil on other subjects. Data always
	// holds the data as received.
	Quote *Quote
	Score *Score
	Data  []byte // in Codec's encoding: a JSON object or a msgpack map
	Codec Codec
	// Raw is the whole msg as it came off the wire (in JSON, one line): for
	// a merged delta, the delta.
	Raw []byte
	// Delta is true when the update came as a field delta (see
	// SubscribeOptions.Delta) and Data, Quote or Score are its merge onto
	// the last full update: the same shape as a whole update.
	Delta bool

	Seq uint64 // data.seq; 0 when absent
	TS  int64  // data.ts, publish time in Unix nanoseconds; 0 when absent
	// Gap is how many seq numbers were skipped between the update of this
	// subject delivered before this one and this one: the server or this
	// client conflated them for a slow reader, they were dropped, or they
	// were published while the client was reconnecting. Every update is full
	// state, so a gap loses nothing but the history. 0 for the first update
	// of a subject, and when seq went back (a restarted publisher, a replayed
	// snapshot).
	Gap uint64
	// Conflated is how many older updates of this subject this client
	// replaced with this one while OnUpdate was busy.
	Conflated int
	// Received is when the client read the frame.
	Received time.Time
	// URL is the gateway the update came from.
	URL string
}

// Latency is Received minus the publish time (which includes the clock
// difference between publisher and client); 0 without a publish time.
func (u *Update) Latency() time.Duration {
	if u.TS == 0 {
		return 0
	}
	return u.Received.Sub(time.Unix(0, u.TS))
}

// Decode reads Data into v, in either encoding.
func (u *Update) Decode(v any) error { return decodeData(u.Codec, u.Data, v) }

// Kinds of subjects the feeds publish.
const (
	quotePrefix = "quotes."
	scorePrefix = "scores."
)

// newUpdate builds an Update of a msg, decoding its data as a Quote or a
// Score when its subject says it is one.
func newUpdate(m Message, url string, received time.Time) Update {
	u := Update{Subject: m.Subject, Snapshot: m.Snapshot, Data: m.Data, Codec: m.Codec, Raw: m.Raw,
		Received: received, URL: url}
	switch kindOf(m.Subject) {
	case quotePrefix:
		var q Quote
		if decodeData(m.Codec, m.Data, &q) == nil {
			u.Quote, u.Seq, u.TS = &q, q.Seq, q.TS
			return u
		}
	case scorePrefix:
		var s Score
		if decodeData(m.Codec, m.Data, &s) == nil {
			u.Score, u.Seq, u.TS = &s, s.Seq, s.TS
			return u
		}
	}
	if h, err := m.Header(); err == nil {
		u.Seq, u.TS = h.Seq, h.TS
	}
	return u
}

// kindOf returns quotePrefix for quotes.X, scorePrefix for scores.L.G, ""
// for anything else.
func kindOf(subject string) string {
	switch {
	case strings.HasPrefix(subject, quotePrefix) && strings.Count(subject, ".") == 1:
		return quotePrefix
	case strings.HasPrefix(subject, scorePrefix) && strings.Count(subject, ".") == 2:
		return scorePrefix
	}
	return ""
}
