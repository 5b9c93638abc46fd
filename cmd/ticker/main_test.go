package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// binary is the ticker built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ticker-cmd-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ticker")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building ticker:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func TestTheStartUpLogSaysWhereEverythingIsAndNothingElse(t *testing.T) {
	p := start(t, "--listen", freeAddr(t), "--nats-listen", "127.0.0.1:0", "--drain-window", "100ms")
	want := []string{"embedded nats listening", "connected", "gateway listening", "built-in feed publishing"}
	p.waitFor(t, want...)
	p.stop(t)
	var startUp []string
	for _, line := range p.lines() {
		if strings.Contains(line, "component=nats-server") {
			t.Errorf("the embedded server logs at info level: %s", line)
		}
		msg := message(line)
		if msg == "shutting down" {
			break
		}
		startUp = append(startUp, msg)
	}
	slices.Sort(startUp)
	slices.Sort(want)
	if !slices.Equal(startUp, want) {
		t.Errorf("start-up lines say %q, want %q", startUp, want)
	}
}

func TestTheEmbeddedServersLogShowsAtDebugLevel(t *testing.T) {
	p := start(t, "--listen", freeAddr(t), "--nats-listen", "127.0.0.1:0", "--drain-window", "100ms", "--log-level", "debug")
	p.waitFor(t, "gateway listening")
	p.stop(t)
	if !strings.Contains(p.out.String(), `msg="Server is ready" component=nats-server`) {
		t.Error("no notice of the embedded server at --log-level debug")
	}
}

func TestABusyNATSPortFailsAtOnceNamingTheAddressAndTheFlag(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	p := start(t, "--listen", freeAddr(t), "--nats-listen", busy)
	if code := p.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	out := p.out.String()
	for _, want := range []string{busy, "address already in use", "--nats-listen"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q", want)
		}
	}
	if strings.Contains(out, "not ready") {
		t.Error("ticker waited for the embedded server's readiness timeout")
	}
}

func TestNegativeNumbersAreValuesOfTheirFlags(t *testing.T) {
	p := start(t, "--listen", freeAddr(t), "--nats-listen", "127.0.0.1:0", "--no-feed", "--drain-window", "100ms",
		"--max-conns", "-1", "--max-conns-per-ip", "-1", "--op-rate", "-1", "--idle-timeout", "-1s", "--ping-interval", "-1s")
	p.waitFor(t, "gateway listening")
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

func TestAFlagWithoutItsValueIsStillAnError(t *testing.T) {
	p := start(t, "--max-conns", "--listen", freeAddr(t))
	if code := p.wait(t); code == 0 {
		t.Fatal("ticker ran with --max-conns taking the next flag as its value")
	}
}

func TestTheHelpListsEveryEndpointAndShowsListDefaultsAsOneValue(t *testing.T) {
	out, err := exec.Command(binary, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	help := strings.Join(strings.Fields(string(out)), " ") // the help is wrapped to the terminal
	for _, want := range []string{
		"/ws, /sse, the dashboard /, /metrics, /healthz, /readyz",
		"listens on every interface",
		`--allow="quotes.>,scores.>"`,
		`--snapshot-subjects="quotes.>,scores.>"`,
		`--allowed-origins="localhost:*,127.0.0.1:*,[::1]:*"`,
	} {
		if !strings.Contains(help, want) {
			t.Errorf("the help does not say %s", want)
		}
	}
	if strings.Contains(help, ",...") {
		t.Error("a list default ends in ,... as if it held more values")
	}
}

// proc is a running ticker whose output is kept.
type proc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// start runs the binary with args; it is killed at the end of the test if
// still running.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("ticker %q output:\n%s", args, p.out)
		}
	})
	return p
}

// waitFor waits until ticker has logged every message of msgs.
func (p *proc) waitFor(t *testing.T, msgs ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var seen []string
		for _, line := range p.lines() {
			seen = append(seen, message(line))
		}
		if !slices.ContainsFunc(msgs, func(m string) bool { return !slices.Contains(seen, m) }) {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("ticker exited before logging all of %q", msgs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticker did not log all of %q in 20s", msgs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and returns the exit code.
func (p *proc) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return p.wait(t)
}

// wait waits for ticker to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("ticker still running after 30s")
	}
	return p.cmd.ProcessState.ExitCode()
}

// lines are the lines ticker has written so far.
func (p *proc) lines() []string {
	var out []string
	s := bufio.NewScanner(strings.NewReader(p.out.String()))
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out
}

// message is the msg of a log line in slog's text format.
func message(line string) string {
	_, rest, ok := strings.Cut(line, " msg=")
	if !ok {
		return ""
	}
	if strings.HasPrefix(rest, `"`) {
		end := strings.Index(rest[1:], `"`)
		return rest[1 : end+1]
	}
	msg, _, _ := strings.Cut(rest, " ")
	return msg
}

// freeAddr returns a loopback address whose port is free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a bytes.Buffer for writers on several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
