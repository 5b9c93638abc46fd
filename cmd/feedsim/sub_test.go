package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/ticker-dev/ticker/internal/app"
	"github.com/ticker-dev/ticker/internal/codec"
)

// startGateway runs an in-process ticker on free loopback ports, its feed
// off, holding the last values of stored (subject -> codec.Quote or
// codec.Score) in its snapshot stream.
func startGateway(t *testing.T, change func(*app.Config), stored map[string]any) string {
	t.Helper()
	cfg := app.Defaults()
	cfg.Listen, cfg.NATSListen, cfg.Feed = "127.0.0.1:0", "127.0.0.1:0", app.FeedOff
	cfg.DrainWindow = 100 * time.Millisecond
	if change != nil {
		change(&cfg)
	}
	a, err := app.Start(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	nc, err := nats.Connect(a.NATSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	for subject, v := range stored {
		b, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(t.Context(), subject, b); err != nil {
			t.Fatal(err)
		}
	}
	return "ws://" + a.Addr() + "/ws"
}

const fixedTS = 1732350000123456789

var stored = map[string]any{
	"quotes.AAPL": codec.Quote{Symbol: "AAPL", Bid: 189.12, Ask: 189.14, Last: 189.13, Size: 100, Volume: 1234567, Seq: 42, TS: fixedTS},
	"quotes.MSFT": codec.Quote{Symbol: "MSFT", Bid: 420.5, Ask: 420.52, Last: 420.51, Size: 50, Volume: 98765, Seq: 7, TS: fixedTS},
	"scores.nba.g0042": codec.Score{League: "nba", Game: "g0042", Home: "BOS", Away: "LAL", HomeScore: 88, AwayScore: 85,
		Period: 4, Clock: "02:31", Status: "live", Seq: 17, TS: fixedTS},
}

// The lines a JSON client receives for the stored values, as snapshots.
var storedLines = map[string]string{
	"quotes.AAPL":      `{"op":"msg","subject":"quotes.AAPL","snapshot":true,"data":{"symbol":"AAPL","bid":189.12,"ask":189.14,"last":189.13,"size":100,"volume":1234567,"seq":42,"ts":1732350000123456789}}`,
	"quotes.MSFT":      `{"op":"msg","subject":"quotes.MSFT","snapshot":true,"data":{"symbol":"MSFT","bid":420.5,"ask":420.52,"last":420.51,"size":50,"volume":98765,"seq":7,"ts":1732350000123456789}}`,
	"scores.nba.g0042": `{"op":"msg","subject":"scores.nba.g0042","snapshot":true,"data":{"league":"nba","game":"g0042","home":"BOS","away":"LAL","home_score":88,"away_score":85,"period":4,"clock":"02:31","status":"live","seq":17,"ts":1732350000123456789}}`,
}

// TestSubPipedPrintsEachMessageAsReceived runs `feedsim sub` with its
// output not a terminal: one line per message, the JSON the gateway sends,
// also on a msgpack connection; --snapshot-only stops after the snapshots
// and --count after that many.
func TestSubPipedPrintsEachMessageAsReceived(t *testing.T) {
	url := startGateway(t, nil, stored)
	for _, codecName := range []string{"json", "msgpack"} {
		t.Run(codecName, func(t *testing.T) {
			out, err := execute(t, "sub", "--url", url, "--codec", codecName, "--snapshot-only", "quotes.*", "scores.nba.*")
			if err != nil {
				t.Fatalf("sub: %v", err)
			}
			got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(got) != len(storedLines) {
				t.Fatalf("printed %d lines, want %d:\n%s", len(got), len(storedLines), out)
			}
			for _, line := range got {
				if !isStoredLine(line) {
					t.Errorf("printed %s\nwant one of the lines the gateway sends", line)
				}
			}
		})
	}
	out, err := execute(t, "sub", "--url", url, "--count", "1", "--max-rate", "5", "--delta", "quotes.AAPL")
	if err != nil || out != storedLines["quotes.AAPL"]+"\n" {
		t.Errorf("sub --count 1 quotes.AAPL: %v, printed\n%s", err, out)
	}
	out, err = execute(t, "sub", "--url", url, "--duration", "200ms", "quotes.NOTHING")
	if err != nil || out != "" {
		t.Errorf("sub --duration on a silent subject: %v, printed %q", err, out)
	}
}

func isStoredLine(line string) bool {
	for _, l := range storedLines {
		if line == l {
			return true
		}
	}
	return false
}

// TestSubRefusalsEndWithOneLine checks that what reconnecting cannot mend
// ends the command with an error of one line naming the cause.
func TestSubRefusalsEndWithOneLine(t *testing.T) {
	url := startGateway(t, nil, nil)
	key := filepath.Join(t.TempDir(), "jwt.key")
	secret := "a test secret of at least thirty-two bytes"
	if err := os.WriteFile(key, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	authURL := startGateway(t, func(c *app.Config) { c.Auth.KeyFile = key }, nil)
	expired, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"exp": time.Now().Add(-time.Hour).Unix(), "subjects": []string{"quotes.>"},
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"forbidden", []string{"--url", url, "quotes.AAPL", ">"}, `refused: forbidden: subject ">"`},
		{"bad subject", []string{"--url", url, "quotes.AA*"}, `bad subject: pattern "quotes.AA*"`},
		{"invalid token", []string{"--url", authURL, "--token", "not.a.token", "quotes.AAPL"}, "refused: " + authURL + ": closed with 1008 invalid token"},
		{"no token", []string{"--url", authURL, "quotes.AAPL"}, "1008 missing token"},
		{"expired token", []string{"--url", authURL, "--token", expired, "quotes.AAPL"}, "1008 token expired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := execute(t, append([]string{"sub"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("sub %v = %v, want one line with %q", tt.args, err, tt.want)
			}
		})
	}
}
