package fleet

import "testing"

func TestSeqTrack(t *testing.T) {
	tests := []struct {
		name                      string
		seqs                      [][2]uint64 // slot, seq
		published                 []uint64    // last seq published, by slot
		delivered, conflated, dup uint64
		lost                      uint64
	}{
		{"in order", [][2]uint64{{0, 1}, {0, 2}, {1, 1}, {0, 3}}, []uint64{3, 1}, 4, 0, 0, 0},
		{"conflated gap", [][2]uint64{{0, 1}, {0, 4}, {0, 5}}, []uint64{5, 0}, 3, 2, 0, 0},
		{"first seqs conflated", [][2]uint64{{1, 3}}, []uint64{0, 3}, 1, 2, 0, 0},
		{"lost tail", [][2]uint64{{0, 1}, {0, 2}}, []uint64{5, 2}, 2, 0, 0, 3 + 2},
		{"dup and out of order", [][2]uint64{{0, 1}, {0, 1}, {0, 3}, {0, 2}}, []uint64{3, 0}, 2, 1, 2, 0},
		{"nothing received", nil, []uint64{4, 4}, 0, 0, 0, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newSeqTrack(2)
			for _, s := range tt.seqs {
				tr.update(int(s[0]), s[1])
			}
			lost := tr.lost(func(slot int) uint64 { return tt.published[slot] })
			if tr.delivered != tt.delivered || tr.conflated != tt.conflated || tr.dup != tt.dup || lost != tt.lost {
				t.Errorf("delivered %d conflated %d dup %d lost %d, want %d %d %d %d",
					tr.delivered, tr.conflated, tr.dup, lost, tt.delivered, tt.conflated, tt.dup, tt.lost)
			}
			var owed uint64
			for _, p := range tt.published {
				owed += p
			}
			if tr.delivered+tr.conflated+lost != owed {
				t.Errorf("delivered+conflated+lost = %d, owed %d", tr.delivered+tr.conflated+lost, owed)
			}
			if tr.advanced != tr.delivered+tr.conflated {
				t.Errorf("advanced %d", tr.advanced)
			}
		})
	}
}
