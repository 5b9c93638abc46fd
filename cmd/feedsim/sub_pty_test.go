package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// buildFeedsim builds this command into a temporary directory of the test.
func buildFeedsim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "feedsim")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// ptyOutput collects what the program writes to its terminal.
type ptyOutput struct {
	mu   sync.Mutex
	b    bytes.Buffer
	done chan struct{}
}

func (o *ptyOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

func readPTY(f *os.File) *ptyOutput {
	o := &ptyOutput{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			o.mu.Lock()
			o.b.Write(buf[:n])
			o.mu.Unlock()
			if err != nil {
				return // EIO once the program has exited
			}
		}
	}()
	return o
}

// TestSubOnATerminalDrawsTheTableAndRestoresItOnCtrlC runs the real binary
// in a pseudo-terminal: it switches to a screen of its own, draws the
// quotes and the scores board with the status line, and on SIGINT (Ctrl-C)
// gives the terminal back (cursor shown, the shell's screen restored) and
// exits 0.
func TestSubOnATerminalDrawsTheTableAndRestoresItOnCtrlC(t *testing.T) {
	bin := buildFeedsim(t)
	url := startGateway(t, nil, stored)
	cmd := exec.Command(bin, append(readmeSubArgs(t), "--url", url)...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := readPTY(f)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waited := false
	t.Cleanup(func() {
		if !waited {
			_ = cmd.Process.Kill()
			<-exited
		}
		f.Close()
		<-out.done
	})

	deadline := time.Now().Add(30 * time.Second)
	for !shows(out.String(), "subscribed", "AAPL", "189.13", "MSFT", "420.51", "nba g0042", "BOS", "88", "LAL", "85", "live") {
		if time.Now().After(deadline) {
			t.Fatalf("the table never showed every row; the terminal got:\n%q", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	screen := out.String()
	if !strings.HasPrefix(screen, enterAltScreen+hideCursor) {
		t.Errorf("the output starts with %.20q, want the alternate screen and a hidden cursor", screen)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		waited = true
		if err != nil {
			t.Fatalf("after Ctrl-C: %v, want exit 0\n%q", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("still running 20s after Ctrl-C")
	}
	<-out.done
	if got := out.String(); !strings.HasSuffix(got, showCursor+leaveAltScreen) {
		t.Errorf("the output ends with %q, want the terminal restored: %q", got[max(0, len(got)-40):], showCursor+leaveAltScreen)
	}
}

func shows(screen string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(screen, w) {
			return false
		}
	}
	return true
}

// readmeSubArgs returns the arguments of the README's "Watch it in a
// terminal" command, so that the command it shows is the one tested.
func readmeSubArgs(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Watch it in a terminal\n")
	_, block, _ := strings.Cut(section, "```sh\n")
	line, _, _ := strings.Cut(block, "\n")
	cmd, ok := strings.CutPrefix(line, "go run ./cmd/feedsim ")
	if !ok {
		t.Fatalf("the README's terminal command is %q, want go run ./cmd/feedsim sub ...", line)
	}
	var args []string
	for _, f := range strings.Fields(cmd) {
		args = append(args, strings.Trim(f, "'"))
	}
	if len(args) == 0 || args[0] != "sub" {
		t.Fatalf("the README's terminal command runs %q, want sub", cmd)
	}
	return args
}
