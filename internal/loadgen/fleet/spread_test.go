package fleet

import "testing"

func TestConnSubjects(t *testing.T) {
	cs := connSubjects{k: 3, n: 10}
	count := make([]int, 10)
	for i := range 20 {
		for j := range 3 {
			s := cs.subject(i, j)
			count[s]++
			if got := cs.slot(i, s); got != j {
				t.Errorf("conn %d subject %d: slot %d, want %d", i, s, got, j)
			}
		}
		held := 0
		for s := range 10 {
			if cs.slot(i, s) >= 0 {
				held++
			}
		}
		if held != 3 || cs.slot(i, -1) != -1 || cs.slot(i, 10) != -1 {
			t.Errorf("conn %d holds %d subjects", i, held)
		}
	}
	for s, n := range count {
		if n != 6 {
			t.Errorf("subject %d has %d subscribers, want 6", s, n)
		}
	}
}

func TestStalled(t *testing.T) {
	for _, tt := range []struct {
		percent float64
		conns   int
		want    int
	}{{0, 100, 0}, {10, 100, 10}, {10, 95, 9}, {33, 1000, 330}, {100, 7, 7}, {2.5, 200, 5}} {
		n := 0
		for i := range tt.conns {
			if stalled(i, tt.percent) {
				n++
			}
		}
		if n != tt.want {
			t.Errorf("%v%% of %d: %d stalled, want %d", tt.percent, tt.conns, n, tt.want)
		}
	}
}
