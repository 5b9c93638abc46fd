package client_test

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// natsProcess is Debian's nats-server on a loopback port, which a test can
// kill (SIGKILL: no goodbye to its clients) and start again on the same port
// and storage, as internal/app's NATS outage tests do.
type natsProcess struct {
	t     *testing.T
	bin   string
	addr  string
	store string
	mu    sync.Mutex
	out   strings.Builder
	cmd   *exec.Cmd
	done  chan struct{}
}

// startNATSProcess runs nats-server, or skips the test without it.
func startNATSProcess(t *testing.T) *natsProcess {
	t.Helper()
	bin := ""
	for _, name := range []string{"nats-server", "/usr/sbin/nats-server"} {
		if path, err := exec.LookPath(name); err == nil {
			bin = path
			break
		}
	}
	if bin == "" {
		t.Skip("nats-server not found: install the Debian package nats-server (CI does)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &natsProcess{t: t, bin: bin, addr: ln.Addr().String(), store: t.TempDir()}
	ln.Close()
	t.Cleanup(n.kill)
	t.Cleanup(func() {
		if t.Failed() {
			n.mu.Lock()
			t.Logf("nats-server output:\n%s", n.out.String())
			n.mu.Unlock()
		}
	})
	n.start()
	return n
}

func (n *natsProcess) url() string { return "nats://" + n.addr }

func (n *natsProcess) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.out.Write(p)
}

// start runs the server and waits until it greets a client.
func (n *natsProcess) start() {
	n.t.Helper()
	host, port, _ := net.SplitHostPort(n.addr)
	n.cmd = exec.Command(n.bin, "-a", host, "-p", port, "-n", "ticker-client-test", "-js", "-sd", n.store)
	n.cmd.Stdout, n.cmd.Stderr = n, n
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("start %s: %v", n.bin, err)
	}
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(n.cmd, n.done)
	if err := n.waitReady(); err != nil {
		n.kill()
		n.t.Fatal(err)
	}
}

func (n *natsProcess) waitReady() error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		if conn, err := net.DialTimeout("tcp", n.addr, time.Second); err == nil {
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if strings.HasPrefix(line, "INFO ") {
				return nil
			}
		}
		select {
		case <-n.done:
			return fmt.Errorf("nats-server on %s exited before accepting clients", n.addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nats-server on %s not accepting clients after 20s", n.addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill stops the server with SIGKILL, if it runs.
func (n *natsProcess) kill() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	<-n.done
	n.cmd = nil
}
