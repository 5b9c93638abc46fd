package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable prints r as a two-column table for people.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	if r.Label != "" {
		row("run", "%s", r.Label)
	}
	row("target", "%s (%s)", strings.Join(r.URLs, " "), r.Codec)
	row("conns", "%d subscribed of %d, %d stalled, %d subjects each of %d, %d process(es)",
		r.Subscribed, r.Conns, r.Stalled, r.SubsPerConn, r.Subjects, r.Procs)
	row("duration", "%.1fs at %.0f updates/s", r.Seconds, r.Rate)
	row("published", "%d (%d errors)", r.Published, r.PublishErrors)
	row("expected", "%d", r.Expected)
	row("delivered", "%d (%.3f%%)", r.Delivered, r.DeliveredPct)
	row("conflated", "%d", r.Conflated)
	row("lost", "%d", r.Lost)
	row("dup", "%d", r.Dup)
	row("deliveries/s", "%.0f", r.DeliveriesPerSec)
	row("bytes/delivery", "%.1f payload, %.1f wire", r.PayloadPerDelivery, r.WirePerDelivery)
	if r.Deltas > 0 || r.Revoked > 0 {
		row("deltas", "%d of the deliveries, %d revoked", r.Deltas, r.Revoked)
	}
	l := r.Latency
	row("latency", "p50 %s  p90 %s  p99 %s  p999 %s  max %s  (%d samples)",
		fmtMs(l.P50), fmtMs(l.P90), fmtMs(l.P99), fmtMs(l.P999), fmtMs(l.Max), l.Count)
	row("connect errors", "%d%s", r.ConnectErrors, firstErr(r.FirstConnectError))
	row("disconnects", "%s", fmtCodes(r.Disconnects))
	row("reconnects", "%d", r.Reconnects)
	row("refusals", "%d (1013 or HTTP 503, retried after a backoff)", r.Refusals)
	if m := r.Moves; m != nil {
		row("moved", "%d closed with 1001, %d with 1013; all back %s after the first close (longest one %s)",
			m.GoingAway, m.TryAgainLater, fmtMs(m.SpanMs), fmtMs(m.MaxGapMs))
		if m.Stayed != nil && m.Before != nil {
			row("while they moved", "p99 %s p999 %s for the connections that stayed; before the first close p99 %s p999 %s",
				fmtMs(m.Stayed.P99), fmtMs(m.Stayed.P999), fmtMs(m.Before.P99), fmtMs(m.Before.P999))
		}
	}
	if r.Stalled > 0 {
		row("stalled ended", "%s", fmtCodes(r.StalledEnd))
	}
	if r.Malformed+r.ProtocolErrors+r.Foreign > 0 {
		row("odd messages", "%d malformed, %d protocol errors, %d foreign", r.Malformed, r.ProtocolErrors, r.Foreign)
	}
	row("load generator CPU", "%.2fs (%.0f%% of a core)", r.CPUSeconds, r.CPUPercent)
	if s := r.Server; s != nil {
		row("server CPU", "%.2fs, %.3fs per 1M deliveries (deliveries counted by the %s)", s.CPUSeconds, s.CPUSecondsPer1M, s.DeliveriesFrom)
		row("server RSS", "%.0f KiB per idle conn; %.1f MiB before, %.1f MiB idle, %.1f MiB at the end",
			s.RSSPerIdleConn/1024, s.RSSBefore/(1<<20), s.RSSIdle/(1<<20), s.RSSEnd/(1<<20))
	} else {
		row("server", "no /metrics scraped")
	}
	return tw.Flush()
}

func firstErr(s string) string {
	if s == "" {
		return ""
	}
	return " (first: " + s + ")"
}

// fmtCodes prints counts by close code, "none" when empty.
func fmtCodes(m map[string]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s×%d%s", k, m[k], codeName(k)))
	}
	return strings.Join(parts, ", ")
}

var codeNames = map[string]string{"1000": "normal", "1001": "going away", "1006": "abnormal",
	"1008": "policy/slow consumer", "1009": "too big", "1011": "internal error", "1013": "try again later"}

func codeName(code string) string {
	if n, ok := codeNames[code]; ok {
		return " (" + n + ")"
	}
	return ""
}

// comparisonRows are the figures WriteComparison shows.
var comparisonRows = []struct {
	name  string
	value func(*Report) (float64, bool)
}{
	{"deliveries/s", func(r *Report) (float64, bool) { return r.DeliveriesPerSec, true }},
	{"delivered %", func(r *Report) (float64, bool) { return r.DeliveredPct, true }},
	{"p50 ms", func(r *Report) (float64, bool) { return r.Latency.P50, true }},
	{"p99 ms", func(r *Report) (float64, bool) { return r.Latency.P99, true }},
	{"p999 ms", func(r *Report) (float64, bool) { return r.Latency.P999, true }},
	{"payload bytes / delivery", func(r *Report) (float64, bool) { return r.PayloadPerDelivery, r.PayloadPerDelivery > 0 }},
	{"wire bytes / delivery", func(r *Report) (float64, bool) { return r.WirePerDelivery, r.WirePerDelivery > 0 }},
	{"server CPU s / 1M deliveries", func(r *Report) (float64, bool) {
		return serverFigure(r, func(s *ServerStats) float64 { return s.CPUSecondsPer1M })
	}},
	{"server RSS KiB / idle conn", func(r *Report) (float64, bool) {
		return serverFigure(r, func(s *ServerStats) float64 { return s.RSSPerIdleConn / 1024 })
	}},
}

func serverFigure(r *Report, f func(*ServerStats) float64) (float64, bool) {
	if r.Server == nil {
		return 0, false
	}
	return f(r.Server), true
}

// WriteComparison prints the reports side by side, each after the first
// with its ratio to the first (the baseline).
func WriteComparison(w io.Writer, reports []*Report) error {
	if len(reports) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	nameWidth := 0
	for _, row := range comparisonRows {
		nameWidth = max(nameWidth, len(row.name))
	}
	head := []string{strings.Repeat(" ", nameWidth), reports[0].Label}
	for _, r := range reports[1:] {
		head = append(head, r.Label, "ratio")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, row := range comparisonRows {
		base, baseOK := row.value(reports[0])
		cells := []string{fmt.Sprintf("%-*s", nameWidth, row.name), cell(base, baseOK)}
		for _, r := range reports[1:] {
			v, ok := row.value(r)
			ratio := "-"
			if ok && baseOK && base != 0 {
				ratio = fmt.Sprintf("%.2fx", v/base)
			}
			cells = append(cells, cell(v, ok), ratio)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

func cell(v float64, ok bool) string {
	switch {
	case !ok:
		return "-"
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3f", v)
}
