package fleet

import (
	"testing"
	"time"
)

func TestALatencyIsCountedInTheWindowOfTheMovesAroundIt(t *testing.T) {
	// Each step happens to the moves, then one latency of 1 ms is recorded
	// on a connection that stayed and one of 2 ms on one that moved.
	for _, tt := range []struct {
		name                     string
		steps                    func(m *moves)
		stayedIn, movedIn        window
		wantBefore, wantWhileMov int64
	}{
		{"before any close", func(*moves) {}, beforeMoves, beforeMoves, 2, 0},
		{"while one is away", func(m *moves) { m.gone(1001, time.Now()) }, whileMoving, otherWindows, 0, 1},
		{"after it is back", func(m *moves) { now := time.Now(); m.gone(1001, now); m.back(now, now) }, otherWindows, otherWindows, 0, 0},
		{"after it gave up", func(m *moves) { m.gone(1013, time.Now()); m.gaveUp() }, otherWindows, otherWindows, 0, 0},
		{"while one of two is away", func(m *moves) { now := time.Now(); m.gone(1001, now); m.gone(1001, now); m.back(now, now) },
			whileMoving, otherWindows, 0, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := new(moves)
			tt.steps(m)
			if got := m.window(false); got != tt.stayedIn {
				t.Errorf("a connection that stayed is in window %d, want %d", got, tt.stayedIn)
			}
			if got := m.window(true); got != tt.movedIn {
				t.Errorf("a connection that moved is in window %d, want %d", got, tt.movedIn)
			}
			lat := newLatencies(1)
			b := latBuf{shard: &lat.shards[0]}
			now := time.Now().UnixNano()
			b.record(1e6, now, m.window(false))
			b.record(2e6, now, m.window(true))
			b.flush(now)
			if n := lat.merged().TotalCount(); n != 2 {
				t.Errorf("%d latencies in all, want 2", n)
			}
			if n := lat.window(beforeMoves).TotalCount(); n != tt.wantBefore {
				t.Errorf("%d latencies before the moves, want %d", n, tt.wantBefore)
			}
			if n := lat.window(whileMoving).TotalCount(); n != tt.wantWhileMov {
				t.Errorf("%d latencies while moving, want %d", n, tt.wantWhileMov)
			}
		})
	}
}
