package web

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestJavaScriptUnitTests runs the dashboard's JavaScript unit tests
// (test/*.test.js, Node's built-in node:test runner, no dependencies), so that
// go test ./... covers them. Without node on PATH it is skipped.
func TestJavaScriptUnitTests(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: skipping the JavaScript unit tests in web/test (install Node.js 18 or later to run them)")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatalf("node --version: %v", err)
	}
	m := regexp.MustCompile(`^v(\d+)\.`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("node --version printed %q", out)
	}
	if major, _ := strconv.Atoi(string(m[1])); major < 18 {
		t.Skipf("node %s is too old for node:test: skipping the JavaScript unit tests (need Node.js 18 or later)", bytes.TrimSpace(out))
	}

	// Name the files: how a directory argument is read differs between
	// Node versions, a list of files does not.
	files, err := filepath.Glob(filepath.Join("test", "*.test.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test/*.test.js files (err %v)", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"--test"}, files...)...)
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	if err := cmd.Run(); err != nil {
		t.Fatalf("node --test %v: %v\n%s", files, err, buf.Bytes())
	}
	if testing.Verbose() {
		t.Logf("node --test:\n%s", summary(buf.Bytes()))
	}
}

// summary keeps the last lines of node's report: the counts.
func summary(report []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(report), []byte("\n"))
	if len(lines) > 9 {
		lines = lines[len(lines)-9:]
	}
	return bytes.Join(lines, []byte("\n"))
}
