package gateway

import (
	"testing"
	"time"
)

func TestADrainHasClosedItsShareOfTheConnectionsAtAnyPointOfTheWindow(t *testing.T) {
	const w = 5 * time.Second
	tests := []struct {
		name    string
		elapsed time.Duration
		window  time.Duration
		n, want int
	}{
		{"nothing open", 0, w, 0, 0},
		{"the first at once", 0, w, 19000, 1},
		{"a fifth after a fifth of the window", w / 5, w, 19001, 3801},
		{"half after half", w / 2, w, 19001, 9501},
		{"all but the last just before the end", w - time.Nanosecond, w, 19001, 19000},
		{"all at the end", w, w, 19000, 19000},
		{"all after the end, however late the drain woke", 3 * w, w, 19000, 19000},
		{"all at once without a window", 0, 0, 19000, 19000},
		{"one connection at once", 0, w, 1, 1},
		{"an hour's window does not overflow", 30 * time.Minute, time.Hour, 100001, 50001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dueBy(tt.elapsed, tt.window, tt.n); got != tt.want {
				t.Fatalf("dueBy(%v, %v, %d) = %d, want %d", tt.elapsed, tt.window, tt.n, got, tt.want)
			}
		})
	}
}
