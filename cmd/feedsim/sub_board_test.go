package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
)

func TestTheBoardDrawsQuotesScoresAndStatus(t *testing.T) {
	now := time.Unix(0, fixedTS).Add(1500 * time.Millisecond)
	b := newBoard(client.Msgpack)
	b.event(client.Event{State: client.Subscribed, URL: "ws://h/ws"})
	for _, last := range []float64{100, 101.5} {
		b.update(client.Update{Subject: "quotes.X", Received: now.Add(-time.Second), TS: fixedTS,
			Quote: &client.Quote{Symbol: "X", Last: last, Bid: last - 0.01, Ask: last + 0.01, TS: fixedTS}})
	}
	b.update(client.Update{Subject: "scores.nba.g1", Received: now, TS: fixedTS,
		Score: &client.Score{League: "nba", Game: "g1", Home: "BOS", Away: "LAL", HomeScore: 88, AwayScore: 85, Period: 4, Clock: "02:31", Status: "live", TS: fixedTS}})
	b.update(client.Update{Subject: "news.top", Received: now})

	got := b.render(now, 120, 20)
	want := []string{
		"subscribed · ws://h/ws · msgpack · 2 msg/s · p50 500.0ms · 4 updates (1 other subjects)",
		"",
		"SYMBOL             LAST     CHANGE     CHG%          BID          ASK     AGE",
		"X                101.50      +1.50   +1.50%       101.49       101.51    1.5s",
		"",
		"GAME           HOME          AWAY         PERIOD  CLOCK STATUS        AGE",
		"nba g1         BOS       88  LAL       85      4  02:31 live         1.5s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("drew\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A small screen: rows are cut, with a line saying how many, and no
	// line is wider than the screen.
	for i := range 30 {
		sym := string(rune('A'+i%26)) + string(rune('A'+i/26))
		b.update(client.Update{Subject: "quotes." + sym, Received: now, Quote: &client.Quote{Symbol: sym, Last: 1}})
	}
	small := b.render(now, 40, 12)
	if len(small) != 12 || !strings.Contains(strings.Join(small, "\n"), "more") || !strings.HasPrefix(small[len(small)-1], "nba g1") {
		t.Errorf("on 40x12 drew\n%s", strings.Join(small, "\n"))
	}
	for _, l := range small {
		if len(l) > 40 {
			t.Errorf("line wider than the screen: %q", l)
		}
	}
}
