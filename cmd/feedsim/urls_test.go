package main

import (
	"net"
	"strings"
	"testing"
)

// TestAURLFlagWithoutItsSchemeSaysWhichOneItNeeds runs feedsim's command line
// with each URL flag of load given a host and port alone (issue 13): the
// error names the flag, the schemes it needs and an example, instead of the
// URL parser's complaint, and nothing is loaded.
func TestAURLFlagWithoutItsSchemeSaysWhichOneItNeeds(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  string // FEEDSIM_URL, when set
		want string
	}{
		{"--url", []string{"load", "--url", "127.0.0.1:8080"}, "",
			`--url "127.0.0.1:8080" needs ws:// or wss://, as in ws://127.0.0.1:8080/ws`},
		{"the second of two --url", []string{"load", "--url", "ws://127.0.0.1:8080/ws,localhost:8081"}, "",
			`--url "localhost:8081" needs ws:// or wss://, as in ws://localhost:8081/ws`},
		{"FEEDSIM_URL", []string{"load"}, "127.0.0.1:8080/ws",
			`--url "127.0.0.1:8080/ws" needs ws:// or wss://, as in ws://127.0.0.1:8080/ws`},
		{"--url of the dashboard", []string{"load", "--url", "http://127.0.0.1:8080/"}, "",
			`--url "http://127.0.0.1:8080/" needs ws:// or wss://, as in ws://127.0.0.1:8080/ws`},
		{"--metrics-url", []string{"load", "--metrics-url", "127.0.0.1:8080/metrics"}, "",
			`--metrics-url "127.0.0.1:8080/metrics" needs http:// or https://, as in http://127.0.0.1:8080/metrics`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("FEEDSIM_URL", tt.env)
			}
			out, err := execute(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("feedsim %s: error %v, want one saying %s", strings.Join(tt.args, " "), err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "first path segment") {
				t.Errorf("the URL parser's error: %v", err)
			}
			if out != "" {
				t.Errorf("a refused load printed %q", out)
			}
		})
	}
}

// TestEveryNATSURLFlagTakesAHostAndPort runs load, publish and rawserver with
// --nats-url given a host and port alone, where nobody listens: each goes as
// far as connecting to NATS there, as the NATS client takes host:port for
// nats://host:port, instead of refusing the URL.
func TestEveryNATSURLFlagTakesAHostAndPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nobody listens there now
	for _, args := range [][]string{
		{"load", "--nats-url", addr, "--conns", "1", "--subs-per-conn", "1", "--subjects", "1"},
		{"publish", "--nats-url", addr, "--duration", "1s"},
		{"rawserver", "--nats-url", addr, "--listen", "127.0.0.1:0"},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, err := execute(t, args...)
			if want := "connect to NATS at " + addr + ": "; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("feedsim %s: error %v, want one saying %q", strings.Join(args, " "), err, want)
			}
		})
	}
}
