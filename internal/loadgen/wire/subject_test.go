package wire_test

import (
	"testing"

	"github.com/ticker-dev/ticker/internal/loadgen/wire"
)

func TestSubjectIndex(t *testing.T) {
	for in, want := range map[string]int{
		"quotes.L0000": 0, "quotes.L0042": 42, "quotes.L9999": 9999, "quotes.L12345": 12345,
		"quotes.L042": -1, "quotes.L00042": -1, "quotes.L": -1, "quotes.X0001": -1, "quotes.L00a1": -1,
		"quotes.L20000": -1, "quotes.L-001": -1, "": -1, "quotes.L1234567890": -1,
	} {
		if got := wire.SubjectIndex("quotes.L", 20000, []byte(in)); got != want {
			t.Errorf("SubjectIndex(%q) = %d, want %d", in, got, want)
		}
	}
	for _, i := range []int{0, 7, 9999, 10000, 123456} {
		name := wire.SubjectName("q.", i)
		if got := wire.SubjectIndex("q.", 1_000_000, []byte(name)); got != i {
			t.Errorf("%s maps back to %d", name, got)
		}
	}
}
