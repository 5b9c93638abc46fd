package report

import (
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds, from MinLatency to MaxLatency
// (1 µs to 60 s), to 3 significant digits; a value beyond is recorded at the
// bound.
const (
	MinLatency    = 1
	MaxLatency    = 60_000_000
	latencyDigits = 3
)

// NewHistogram returns an empty latency histogram, in microseconds.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(MinLatency, MaxLatency, latencyDigits)
}

// SetHistogram keeps h (µs) as the report's latency histogram and derives
// Latency and Histogram from it.
func (r *Report) SetHistogram(h *hdrhistogram.Histogram) {
	r.hist = h
	r.Latency = summary(h)
	r.Histogram, _ = h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
}

// histogram returns the report's latency histogram, decoding it from
// Histogram when the report was read from JSON.
func (r *Report) histogram() (*hdrhistogram.Histogram, error) {
	if r.hist != nil || len(r.Histogram) == 0 {
		if r.hist == nil {
			r.hist = NewHistogram()
		}
		return r.hist, nil
	}
	h, err := hdrhistogram.Decode(r.Histogram)
	if err != nil {
		return nil, fmt.Errorf("latency histogram of a report: %w", err)
	}
	r.hist = h
	return h, nil
}
