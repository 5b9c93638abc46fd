package loadgen

import (
	"net"
	"strings"
	"testing"
)

// TestAURLFlagSaysWhichSchemeItNeeds gives each URL flag of a load URLs
// with and without the scheme it takes: a URL without one, or with another,
// is answered with the schemes and an example, never with the URL parser's
// error (issue 13).
func TestAURLFlagSaysWhichSchemeItNeeds(t *testing.T) {
	for _, tt := range []struct {
		name string
		flag urlFlag
		url  string
		want string // in the error; "" for none
	}{
		{"a WebSocket URL", wsURLFlag, "ws://127.0.0.1:8080/ws", ""},
		{"a secure WebSocket URL, in capitals", wsURLFlag, "WSS://[::1]:8443/ws", ""},
		{"host and port alone", wsURLFlag, "127.0.0.1:8080",
			`--url "127.0.0.1:8080" needs ws:// or wss://, as in ws://127.0.0.1:8080/ws`},
		{"localhost and port alone", wsURLFlag, "localhost:8080", "as in ws://localhost:8080/ws"},
		{"host, port and path", wsURLFlag, "127.0.0.1:8080/ws", "as in ws://127.0.0.1:8080/ws"},
		{"the dashboard's address", wsURLFlag, "http://127.0.0.1:8080/", "needs ws:// or wss://, as in ws://127.0.0.1:8080/ws"},
		{"an https address", wsURLFlag, "https://127.0.0.1:8443/ws", "as in wss://127.0.0.1:8443/ws"},
		{"nothing", wsURLFlag, "", `--url "" needs ws:// or wss://, as in ws://127.0.0.1:8080/ws`},
		{"a remote WebSocket URL", wsURLFlag, "ws://192.0.2.1/ws", "--url: target ws://192.0.2.1/ws is not loopback"},
		{"a WebSocket URL without a host", wsURLFlag, "ws:///ws", `--url: URL "ws:///ws" has no host`},
		{"a metrics URL", metricsURLFlag, "http://127.0.0.1:8080/metrics", ""},
		{"a metrics URL without its scheme", metricsURLFlag, "127.0.0.1:8080/metrics",
			`--metrics-url "127.0.0.1:8080/metrics" needs http:// or https://, as in http://127.0.0.1:8080/metrics`},
		{"the WebSocket URL as the metrics URL", metricsURLFlag, "wss://127.0.0.1:8443/ws", "as in https://127.0.0.1:8443/metrics"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.flag.check(tt.url)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s %q: %v", tt.flag.name, tt.url, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("%s %q: error %v, want one saying %q", tt.flag.name, tt.url, err, tt.want)
			case err != nil && strings.Contains(err.Error(), "first path segment"):
				t.Errorf("%s %q: the URL parser's error: %v", tt.flag.name, tt.url, err)
			}
		})
	}
}

// TestANATSURLWithoutASchemeIsTakenAsTheNATSClientTakesIt: nats:// is
// implied, as for feedsim publish and rawserver, which hand the flag to the
// NATS client as it is.
func TestANATSURLWithoutASchemeIsTakenAsTheNATSClientTakesIt(t *testing.T) {
	for _, tt := range []struct {
		name string
		urls string
		want string // in the error; "" for none
	}{
		{"host and port", "127.0.0.1:4222", ""},
		{"localhost and port", "localhost:4222", ""},
		{"a list mixing both forms", "nats://127.0.0.1:4222, 127.0.0.2:4222", ""},
		{"a remote host without a scheme", "192.0.2.1:4222", "--nats-url: target nats://192.0.2.1:4222 is not loopback"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := checkNATSURLs(tt.urls)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%q: %v", tt.urls, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("%q: error %v, want one saying %q", tt.urls, err, tt.want)
			}
		})
	}
}

func TestCheckLoopbackURL(t *testing.T) {
	for _, ok := range []string{"ws://127.0.0.1:8080/ws", "ws://127.9.8.7/ws", "ws://[::1]:8080/ws", "nats://localhost:4222",
		"http://LOCALHOST/metrics", "nats://u:p@127.0.0.1:4222"} {
		if err := checkLoopbackURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"ws://10.0.0.1:8080/ws", "ws://example.com/ws", "ws://[::2]/ws", "nats://0.0.0.0:4222",
		"ws:///ws", "nats://127.0.0.1.example.com:4222", "%zz"} {
		if err := checkLoopbackURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := checkNATSURLs("nats://127.0.0.1:4222, nats://10.1.1.1:4222"); err == nil {
		t.Error("a list with one remote NATS accepted")
	}
	if ip, _ := loopbackIP("127.0.0.3"); !ip.Equal(net.IPv4(127, 0, 0, 3)) {
		t.Errorf("loopbackIP = %v", ip)
	}
}

func TestMetricsURLOf(t *testing.T) {
	for in, want := range map[string]string{
		"ws://127.0.0.1:8080/ws": "http://127.0.0.1:8080/metrics",
		"wss://[::1]:8443/ws":    "https://[::1]:8443/metrics",
	} {
		if got, err := metricsURLOf(in); err != nil || got != want {
			t.Errorf("%s: %s, %v", in, got, err)
		}
	}
}
