package gateway

import (
	"testing"
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
