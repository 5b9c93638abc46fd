package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ticker-dev/ticker/internal/loadgen/report"
)

// compareCmd prints load reports side by side with their ratios to the
// reference server's.
type compareCmd struct {
	Raw    string   `name:"raw" required:"" type:"existingfile" env:"FEEDSIM_RAW" help:"The baseline: the rawserver's report (feedsim load --json)."`
	Ticker []string `name:"ticker" required:"" type:"existingfile" env:"FEEDSIM_TICKER" help:"ticker's report(s) to compare with the baseline; repeat or comma-separate."`
}

// Run reads the reports and prints the comparison to out.
func (c *compareCmd) Run(out io.Writer) error {
	var reports []*report.Report
	for _, path := range append([]string{c.Raw}, c.Ticker...) {
		r, err := readReport(path)
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	return report.WriteComparison(out, reports)
}

// readReport reads a report written by load --json; it is labelled with its
// file's name when it has no label.
func readReport(path string) (*report.Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	if r.Label == "" {
		r.Label = strings.TrimSuffix(filepath.Base(path), ".json")
	}
	return &r, nil
}
