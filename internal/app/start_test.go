package app

import (
	"log/slog"
	"net"
	"strings"
	"testing"
)

func TestStartReturnsAnErrorAndCleansUpWhenItsPortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := Defaults()
	cfg.Listen = ln.Addr().String()
	cfg.NATSListen = "127.0.0.1:0"
	cfg.Feed = FeedOff
	a, err := Start(cfg, slog.New(slog.DiscardHandler))
	if err == nil || a != nil {
		t.Fatalf("Start on a taken port = %v, %v; want no app and an error", a, err)
	}
	if !strings.Contains(err.Error(), cfg.Listen) {
		t.Fatalf("error %q does not name the address", err)
	}
	// TestMain's goleak check shows that the embedded NATS and the bus are
	// gone.
}
