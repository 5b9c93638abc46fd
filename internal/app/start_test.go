package app

import (
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
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

func TestAGatewayOnANATSWithoutJetStreamSaysHowToFixItOrRunsWithoutTheStream(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	for _, tc := range []struct {
		stream  string
		wantErr string // "" means it starts
	}{
		{"TICKER_LAST", "enable JetStream on the NATS servers (nats-server -js), or set --snapshot-stream=none"},
		{"none", ""},
	} {
		t.Run(tc.stream, func(t *testing.T) {
			cfg := Defaults()
			cfg.Listen = "127.0.0.1:0"
			cfg.NATSURL = srv.ClientURL()
			cfg.SnapshotStream = tc.stream
			a, err := Start(cfg, slog.New(slog.DiscardHandler))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Shutdown(t.Context()); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Start = %v, want an error saying %q", err, tc.wantErr)
			}
		})
	}
}

func TestStartFailsAtOnceWhenTheEmbeddedNATSPortIsTakenNamingTheFlagThatMovesIt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.NATSListen = ln.Addr().String()
	cfg.Feed = FeedOff
	a, err := Start(cfg, slog.New(slog.DiscardHandler))
	if err == nil || a != nil {
		t.Fatalf("Start on a taken NATS port = %v, %v; want no app and an error", a, err)
	}
	for _, want := range []string{cfg.NATSListen, "address already in use", "--nats-listen", "--nats-url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "not ready") {
		t.Errorf("error %q: Start waited for the readiness timeout", err)
	}
}
