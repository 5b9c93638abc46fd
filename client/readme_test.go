package client_test

import (
	"os"
	"strings"
	"testing"
)

// TestTheREADMEShowsTheExample keeps the README's "Use it from Go" program
// what Example runs: its code block, indented as the function body, must be
// in example_test.go.
func TestTheREADMEShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Use it from Go\n")
	_, block, ok2 := strings.Cut(section, "```go\n")
	block, _, ok3 := strings.Cut(block, "```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal(`README.md has no "## Use it from Go" section with a go code block`)
	}
	var indented strings.Builder
	for line := range strings.Lines(block) {
		if strings.TrimSpace(line) != "" {
			indented.WriteString("\t")
		}
		indented.WriteString(line)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), indented.String()) {
		t.Errorf("the README's Go program is not in example_test.go's Example:\n%s", block)
	}
}
