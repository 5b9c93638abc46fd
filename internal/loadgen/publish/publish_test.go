package publish

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ticker-dev/ticker/internal/codec"
)

// TestThePublisherGoesRoundRobinWithSeqPlusOnePerSubject publishes update by
// update over three subjects and reads each payload back as the gateway
// does, with codec.Transcode.
func TestThePublisherGoesRoundRobinWithSeqPlusOnePerSubject(t *testing.T) {
	for _, tt := range []struct {
		name              string
		fail              []int    // the publishes that fail, by number from 0
		want              []string // subject and seq of every publish tried
		final             []uint64
		published, errors uint64
	}{
		{"every publish goes through", nil,
			[]string{"q.L0000 1", "q.L0001 1", "q.L0002 1", "q.L0000 2", "q.L0001 2"}, []uint64{2, 2, 1}, 5, 0},
		{"a failed publish's seq is used again", []int{1},
			[]string{"q.L0000 1", "q.L0001 1", "q.L0002 1", "q.L0000 2", "q.L0001 1"}, []uint64{2, 1, 1}, 4, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var tried []string
			pub := func(subject string, data []byte) error {
				_, h, err := codec.Transcode(nil, data)
				if err != nil {
					t.Fatalf("the gateway cannot read the payload on %s: %v", subject, err)
				}
				if h.TS <= 0 {
					t.Errorf("%s seq %d: ts %d", subject, h.Seq, h.TS)
				}
				n := len(tried)
				tried = append(tried, fmt.Sprintf("%s %d", subject, h.Seq))
				if slices.Contains(tt.fail, n) {
					return errors.New("no NATS")
				}
				return nil
			}
			p := New(pub, "q.L", 3, 1)
			for range len(tt.want) {
				p.publishNext()
			}
			if !slices.Equal(tried, tt.want) {
				t.Errorf("published %s, want %s", strings.Join(tried, ", "), strings.Join(tt.want, ", "))
			}
			if got := p.FinalSeqs(); !slices.Equal(got, tt.final) || p.LastSeq(1) != tt.final[1] {
				t.Errorf("final seqs %v, last seq of subject 1 %d; want %v", got, p.LastSeq(1), tt.final)
			}
			if p.Published() != tt.published || p.Errors() != tt.errors {
				t.Errorf("published %d, errors %d; want %d and %d", p.Published(), p.Errors(), tt.published, tt.errors)
			}
		})
	}
}
