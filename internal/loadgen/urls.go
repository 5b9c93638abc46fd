package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// urlFlag is a flag that takes URLs of a kind: the two schemes it takes,
// plain then secure, and the path of the endpoint it names.
type urlFlag struct {
	name    string
	schemes [2]string
	path    string
}

// The URL flags of a load, besides --nats-url (see checkNATSURLs).
var (
	wsURLFlag      = urlFlag{name: "--url", schemes: [2]string{"ws", "wss"}, path: "/ws"}
	metricsURLFlag = urlFlag{name: "--metrics-url", schemes: [2]string{"http", "https"}, path: "/metrics"}
)

// exampleHost stands in for the host of a URL given without one.
const exampleHost = "127.0.0.1:8080"

// check refuses raw unless it has one of the flag's schemes and a loopback
// host. A URL without its scheme (127.0.0.1:8080) or with another one is
// answered with the schemes the flag needs and an example made of raw's
// host, not with the URL parser's error.
func (f urlFlag) check(raw string) error {
	scheme, _, ok := strings.Cut(strings.TrimSpace(raw), "://")
	if scheme = strings.ToLower(scheme); !ok || (scheme != f.schemes[0] && scheme != f.schemes[1]) {
		return fmt.Errorf("%s %q needs %s:// or %s://, as in %s", f.name, raw, f.schemes[0], f.schemes[1], f.example(raw))
	}
	if err := checkLoopbackURL(raw); err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	return nil
}

// example is what raw was likely meant to be: its host, after any scheme and
// up to the path, with the flag's scheme (the secure one if raw's was) and
// the path of its endpoint.
func (f urlFlag) example(raw string) string {
	rest, scheme := strings.TrimSpace(raw), f.schemes[0]
	if s, after, ok := strings.Cut(rest, "://"); ok {
		rest = after
		switch strings.ToLower(s) {
		case "https", "wss", "tls":
			scheme = f.schemes[1]
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	if host == "" {
		host = exampleHost
	}
	return scheme + "://" + host + f.path
}

// checkNATSURLs checks a comma-separated list, as NATS URLs are given. An
// address without a scheme is taken as nats://, as the NATS client takes it.
func checkNATSURLs(list string) error {
	var errs []error
	for u := range strings.SplitSeq(list, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if !strings.Contains(u, "://") {
			u = "nats://" + u
		}
		if err := checkLoopbackURL(u); err != nil {
			errs = append(errs, fmt.Errorf("--nats-url: %w", err))
		}
	}
	return errors.Join(errs...)
}

// checkLoopbackURL refuses a URL whose host is not a loopback address
// (127.0.0.0/8, ::1) or localhost. Names are not resolved: anything else,
// even a name that resolves to loopback, is refused.
func checkLoopbackURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("URL %q: %w", raw, err)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("URL %q has no host", raw)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("target %s is not loopback (127.0.0.0/8, ::1 or localhost): feedsim load only loads this machine", u.Redacted())
}

// metricsURLOf derives a gateway's metrics URL from its WebSocket URL:
// ws://host:port/ws -> http://host:port/metrics, wss -> https.
func metricsURLOf(wsURL string) (string, error) {
	u, err := url.Parse(wsURL)
	if err != nil {
		return "", fmt.Errorf("URL %q: %w", wsURL, err)
	}
	scheme := "http"
	if u.Scheme == "wss" {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: u.Host, Path: "/metrics"}).String(), nil
}
