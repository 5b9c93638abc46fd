package broker

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestTheEmbeddedServerFailsAtOnceOnABusyPortNamingIt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var logged lockedBuffer
	e, err := StartEmbedded(EmbeddedOptions{Listen: ln.Addr().String(), Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err == nil {
		e.Shutdown()
		t.Fatal("started on a busy port")
	}
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("err = %v, want address in use naming %s", err, ln.Addr())
	}
	if strings.Contains(err.Error(), "not ready") {
		t.Fatalf("err = %v: it waited for the timeout", err)
	}
	if strings.Contains(logged.String(), "level=ERROR") {
		t.Fatalf("the error was logged as well as returned:\n%s", logged.String())
	}
}

func TestTheEmbeddedServersNoticesAreDebugLogs(t *testing.T) {
	for _, tc := range []struct {
		level   slog.Level
		notices bool
	}{{slog.LevelInfo, false}, {slog.LevelDebug, true}} {
		t.Run(tc.level.String(), func(t *testing.T) {
			var logged lockedBuffer
			e, err := StartEmbedded(EmbeddedOptions{Listen: "127.0.0.1:0",
				Logger: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: tc.level}))})
			if err != nil {
				t.Fatal(err)
			}
			e.Shutdown()
			out := logged.String()
			if got := strings.Contains(out, "Server is ready"); got != tc.notices {
				t.Fatalf("at %v the server's notices are shown: %v, want %v; log:\n%s", tc.level, got, tc.notices, out)
			}
			if !tc.notices && out != "" {
				t.Fatalf("at %v the server logged:\n%s", tc.level, out)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer for writers on several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
