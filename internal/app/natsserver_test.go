package app

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/internal/broker"
)

// natsServer is a NATS server on a loopback port that a test can take away
// and bring back on the same port: a real nats-server process, killed with
// SIGKILL, or the embedded server, shut down.
type natsServer struct {
	t      *testing.T
	addr   string
	start  func() error
	stop   func()
	logged func() string // what the server wrote, for failure reports
}

// natsServerBinary finds Debian's nats-server, or skips the test.
func natsServerBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"nats-server", "/usr/sbin/nats-server"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("nats-server not found: install the Debian package nats-server (CI does)")
	return ""
}

// startNATSProcess runs nats-server on a free loopback port. It is killed at
// the end of the test, whatever happens.
func startNATSProcess(t *testing.T) *natsServer {
	t.Helper()
	bin := natsServerBinary(t)
	var (
		mu   sync.Mutex
		out  bytes.Buffer // every run's output
		cmd  *exec.Cmd
		done chan struct{}
	)
	ns := &natsServer{t: t, addr: freeLoopbackAddr(t)}
	store := t.TempDir() // JetStream's, kept across restarts as a real server's disk
	ns.logged = func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	ns.stop = func() {
		if cmd == nil {
			return
		}
		_ = cmd.Process.Kill() // SIGKILL: no goodbye to the clients
		<-done
		cmd = nil
	}
	ns.start = func() error {
		host, port, _ := net.SplitHostPort(ns.addr)
		cmd = exec.Command(bin, "-a", host, "-p", port, "-n", "ticker-test", "-js", "-sd", store)
		w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
		cmd.Stdout, cmd.Stderr = w, w
		if err := cmd.Start(); err != nil {
			cmd = nil
			return fmt.Errorf("start %s: %w", bin, err)
		}
		done = make(chan struct{})
		go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(cmd, done)
		if err := waitNATSReady(ns.addr, done); err != nil {
			ns.stop()
			return err
		}
		return nil
	}
	t.Cleanup(ns.stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("nats-server output:\n%s", ns.logged())
		}
	})
	ns.up()
	return ns
}

// startNATSEmbedded runs the embedded server (the one `ticker` runs by
// default) on a free loopback port, alone: the gateway joins it by URL.
func startNATSEmbedded(t *testing.T) *natsServer {
	t.Helper()
	var e *broker.Embedded
	ns := &natsServer{t: t, addr: freeLoopbackAddr(t), logged: func() string { return "" }}
	ns.start = func() (err error) {
		e, err = broker.StartEmbedded(broker.EmbeddedOptions{Listen: ns.addr, Logger: slog.New(slog.DiscardHandler)})
		return err
	}
	ns.stop = func() {
		if e != nil {
			e.Shutdown()
			e = nil
		}
	}
	t.Cleanup(ns.stop)
	ns.up()
	return ns
}

// url is the nats:// URL of the server.
func (ns *natsServer) url() string { return "nats://" + ns.addr }

// up starts the server and waits until it accepts clients.
func (ns *natsServer) up() {
	ns.t.Helper()
	if err := ns.start(); err != nil {
		ns.t.Fatalf("nats on %s: %v", ns.addr, err)
	}
}

// down takes the server away.
func (ns *natsServer) down() { ns.stop() }

// waitNATSReady waits until the server at addr greets a client with INFO, or
// the process ends (done).
func waitNATSReady(addr string, done <-chan struct{}) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if strings.HasPrefix(line, "INFO ") {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("nats-server on %s exited before accepting clients", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nats-server on %s not accepting clients after 20s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeLoopbackAddr returns a loopback address whose port is free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
