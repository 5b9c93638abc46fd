package broker

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

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
