package report

import (
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Window is the latency of the deliveries of one part of a run, with its
// histogram (HdrHistogram V2 compressed, µs), so that the windows of several
// processes add up.
type Window struct {
	Latency
	Histogram []byte `json:"histogram,omitempty"`
}

// NewWindow summarises h; nil when h holds nothing.
func NewWindow(h *hdrhistogram.Histogram) *Window {
	if h.TotalCount() == 0 {
		return nil
	}
	w := &Window{Latency: summary(h)}
	w.Histogram, _ = h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	return w
}

// summary is h's figures in milliseconds.
func summary(h *hdrhistogram.Histogram) Latency {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Latency{Count: h.TotalCount(), Mean: h.Mean() / 1000,
		P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)), P99: ms(h.ValueAtQuantile(99)),
		P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max())}
}

// mergeWindows is a and b added up; either may be nil.
func mergeWindows(a, b *Window) (*Window, error) {
	switch {
	case b == nil:
		return a, nil
	case a == nil:
		return b, nil
	}
	h := NewHistogram()
	for _, w := range []*Window{a, b} {
		wh, err := hdrhistogram.Decode(w.Histogram)
		if err != nil {
			return nil, fmt.Errorf("latency histogram of a window: %w", err)
		}
		h.Merge(wh)
	}
	return NewWindow(h), nil
}
