package gateway

import (
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestAnUpgradedSocketGetsTheUserTimeoutOfAPingAndItsPong(t *testing.T) {
	l := Limits{PingInterval: 30 * time.Second, PingTimeout: 10 * time.Second}
	if got := l.userTimeout(); got != 40*time.Second {
		t.Fatalf("userTimeout = %v, want 40s", got)
	}
	if got := (Limits{PingInterval: -1}).userTimeout(); got != 0 {
		t.Fatalf("userTimeout without pings = %v, want 0", got)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := setUserTimeout(c, l.userTimeout()); err != nil {
		t.Fatal(err)
	}
	raw, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ms int
	var gerr error
	_ = raw.Control(func(fd uintptr) { ms, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT) })
	if gerr != nil || ms != 40_000 {
		t.Fatalf("TCP_USER_TIMEOUT = %d ms (%v), want 40000", ms, gerr)
	}
}
