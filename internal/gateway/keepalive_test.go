package gateway

import (
	"testing"
	"time"
)

func TestAWrittenConnectionSkipsAtMostBusySkipsPingsInARow(t *testing.T) {
	var tm timers
	for round := range 3 * (busySkips + 1) {
		want := round%(busySkips+1) != busySkips
		if got := tm.skip(true); got != want {
			t.Fatalf("round %d of a connection written every round: skip = %v, want %v", round, got, want)
		}
	}
	if tm.skip(false) {
		t.Fatal("a connection not written to since the last round skipped its ping")
	}
	if !tm.skip(true) {
		t.Fatal("after a ping, a written connection did not skip the next")
	}
}

func TestPingTimersEndOnTheGridAndAtMostOneGrainLate(t *testing.T) {
	const grain = 100 * time.Millisecond
	base := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		d    time.Duration
		want time.Duration
	}{
		{"already on the grid", base, 30 * time.Second, 30 * time.Second},
		{"just past a multiple", base.Add(time.Nanosecond), 30 * time.Second, 30*time.Second + grain - time.Nanosecond},
		{"just before a multiple", base.Add(grain - time.Millisecond), 30 * time.Second, 30*time.Second + time.Millisecond},
		{"no grain", base.Add(7 * time.Millisecond), 30 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := grain
			if tt.name == "no grain" {
				g = 0
			}
			got := onGrain(tt.now, tt.d, g)
			if got != tt.want {
				t.Fatalf("onGrain(%v, %v) = %v, want %v", tt.now, tt.d, got, tt.want)
			}
			if g > 0 && tt.now.Add(got).Sub(tt.now.Add(got).Truncate(g)) != 0 {
				t.Fatalf("%v + %v is not on the grid of %v", tt.now, got, g)
			}
		})
	}
}

func TestConnectionsPingedAtDifferentTimesShareTheGrid(t *testing.T) {
	l := Limits{PingInterval: 30 * time.Second, PingTimeout: 10 * time.Second}
	grain := min(pingGrain, l.PingInterval/10)
	now := time.Now()
	for i := range 1000 {
		d := l.PingInterval/2 + time.Duration(i)*7919*time.Microsecond
		got := onGrain(now, d, grain)
		if got < d || got >= d+grain {
			t.Fatalf("a ping due in %v is set for %v: not within one grain (%v) after", d, got, grain)
		}
		if at := now.Add(got); at.Sub(at.Truncate(grain)) != 0 {
			t.Fatalf("a ping due in %v fires at %v, off the grid of %v", d, at, grain)
		}
	}
}
