package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// The Prometheus server and promtool come from Debian's prometheus package;
// tests that need them skip, naming it, where it is missing.
const prometheusPackage = "Debian package prometheus (apt-get install prometheus)"

// lookTool returns the path of a tool of the prometheus package, or skips.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found (%v): install the %s", name, err, prometheusPackage)
	}
	return path
}

// alertRulesFile holds the alerting rules derived from the dashboard.
const alertRulesFile = "../dashboards/ticker-alerts.yml"

func TestAlertRulesPassPromtool(t *testing.T) {
	promtool := lookTool(t, "promtool")
	ctx := testCtx(t, 30*time.Second)
	out, err := exec.CommandContext(ctx, promtool, "check", "rules", "--lint=all", "--lint-fatal", alertRulesFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("promtool check rules %s: %v\n%s", alertRulesFile, err, out)
	}
}

func TestMetricsPassPromtool(t *testing.T) {
	promtool := lookTool(t, "promtool")
	addr := freeAddr(t)
	// The built-in feed gives the latency and frame histograms samples; one
	// client that subscribes, reads and closes makes the families that only
	// appear on use (closed connections by code) show up too.
	start(t, "ticker", nil, "--listen", addr, "--nats-listen", "127.0.0.1:0")
	waitReady(t, addr)
	ctx := testCtx(t, 30*time.Second)
	c, err := client.Dial(ctx, "ws://"+addr+"/ws", client.DialOptions{Codec: client.JSON})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Sub(ctx, 1, "quotes.>"); err != nil {
		t.Fatal(err)
	}
	for live := 0; live < 5; {
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Op == "msg" && !m.Snapshot {
			live++
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	text := scrapeUntil(t, addr, "ticker_connections_closed_total{", "ticker_delivery_latency_seconds_bucket{")

	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

// scrapeUntil scrapes addr's /metrics until the text holds every one of
// want, and returns it.
func scrapeUntil(t *testing.T, addr string, want ...string) string {
	t.Helper()
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(15 * time.Second)
	var text string
	for {
		resp, err := hc.Get("http://" + addr + "/metrics")
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK {
				text = string(b)
				missing := false
				for _, w := range want {
					if !strings.Contains(text, w) {
						missing = true
					}
				}
				if !missing {
					return text
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics of %s never held all of %q; last scrape:\n%s", addr, want, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// prom is a Prometheus server run by a test, scraping one ticker.
type prom struct {
	base string
	hc   *http.Client
}

// startPrometheus runs Debian's Prometheus on a free loopback port with its
// storage in a temporary directory, scraping target's /metrics every second
// as job "ticker" and evaluating the rule files every second; it is killed at
// the end of the test. It returns once Prometheus is ready.
func startPrometheus(t *testing.T, target string, ruleFiles ...string) *prom {
	t.Helper()
	path := lookTool(t, "prometheus")
	dir := t.TempDir()
	var rules strings.Builder
	for _, f := range ruleFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&rules, "  - %q\n", abs)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
%sscrape_configs:
  - job_name: ticker
    static_configs:
      - targets: [%q]
`, rules.String(), target)
	configFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	proc := startPath(t, path, nil, "--config.file="+configFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	p := &prom{base: "http://" + addr, hc: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}}
	deadline := time.Now().Add(30 * time.Second)
	for status(addr, "/-/ready") != http.StatusOK {
		select {
		case <-proc.done:
			t.Fatalf("prometheus exited (%v):\n%s\nconfig:\n%s", proc.err, proc.out, config)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus on %s never became ready", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p
}

// sample is one element of an instant vector.
type sample struct {
	Metric map[string]string
	Value  float64
}

// apiResponse is the envelope of every Prometheus HTTP API answer.
type apiResponse struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
	Data      json.RawMessage `json:"data"`
}

// call sends a form to an API path, in the body of a POST or the URL of a
// GET (the label values endpoint takes only GET), and returns the answer's
// data, or an error naming what Prometheus said.
func (p *prom) call(ctx context.Context, method, path string, form url.Values) (json.RawMessage, error) {
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequestWithContext(ctx, method, p.base+path+"?"+form.Encode(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, p.base+path, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("HTTP %d, not an API answer: %s", resp.StatusCode, body)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("status %q (HTTP %d): %s: %s", r.Status, resp.StatusCode, r.ErrorType, r.Error)
	}
	if len(r.Warnings) > 0 {
		return nil, fmt.Errorf("warnings: %q", r.Warnings)
	}
	return r.Data, nil
}

// query evaluates expr at the instant at (/api/v1/query) and returns its
// result, which must be an instant vector or a scalar.
func (p *prom) query(ctx context.Context, expr string, at time.Time) ([]sample, error) {
	form := url.Values{"query": {expr}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64)}}
	data, err := p.call(ctx, http.MethodPost, "/api/v1/query", form)
	if err != nil {
		return nil, err
	}
	var d struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	switch d.ResultType {
	case "vector":
		var raw []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(d.Result, &raw); err != nil {
			return nil, err
		}
		out := make([]sample, 0, len(raw))
		for _, r := range raw {
			v, err := sampleValue(r.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, sample{Metric: r.Metric, Value: v})
		}
		return out, nil
	case "scalar":
		var raw [2]any
		if err := json.Unmarshal(d.Result, &raw); err != nil {
			return nil, err
		}
		v, err := sampleValue(raw)
		if err != nil {
			return nil, err
		}
		return []sample{{Value: v}}, nil
	default:
		return nil, fmt.Errorf("result type %q, want an instant vector", d.ResultType)
	}
}

// sampleValue reads the [time, "value"] pair of the API.
func sampleValue(pair [2]any) (float64, error) {
	s, ok := pair[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", pair[1])
	}
	return strconv.ParseFloat(s, 64)
}

// labelValues returns the values of label on the series matching match
// (/api/v1/label/<name>/values), what Grafana's label_values does.
func (p *prom) labelValues(ctx context.Context, label, match string) ([]string, error) {
	data, err := p.call(ctx, http.MethodGet, "/api/v1/label/"+url.PathEscape(label)+"/values", url.Values{"match[]": {match}})
	if err != nil {
		return nil, err
	}
	var values []string
	err = json.Unmarshal(data, &values)
	return values, err
}

// waitScrapedAfter waits until Prometheus holds a successful scrape of job
// taken after t0 and returns its time: a moment at which every series of the
// target has a fresh sample (a failed scrape would have marked them stale).
func (p *prom) waitScrapedAfter(t *testing.T, ctx context.Context, job string, t0 time.Time) time.Time {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := p.query(ctx, fmt.Sprintf(`timestamp(up{job=%q} == 1)`, job), time.Now())
		if err == nil && len(s) == 1 && !math.IsNaN(s[0].Value) {
			// A little after the sample, which the float may round down.
			at := time.UnixMilli(int64(s[0].Value * 1000)).Add(100 * time.Millisecond)
			if at.After(t0) {
				return at
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful scrape of job %q after %v (last answer %v, %v)", job, t0.Format(time.RFC3339Nano), s, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// rule is one rule's state in /api/v1/rules.
type rule struct {
	Name           string `json:"name"`
	Health         string `json:"health"`
	LastError      string `json:"lastError"`
	State          string `json:"state"`
	LastEvaluation string `json:"lastEvaluation"`
}

// rules returns every rule Prometheus has loaded.
func (p *prom) rules(ctx context.Context) ([]rule, error) {
	data, err := p.call(ctx, http.MethodGet, "/api/v1/rules", url.Values{})
	if err != nil {
		return nil, err
	}
	var d struct {
		Groups []struct {
			Rules []rule `json:"rules"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []rule
	for _, g := range d.Groups {
		out = append(out, g.Rules...)
	}
	return out, nil
}

// waitRulesEvaluatedAfter waits until Prometheus has evaluated every loaded
// rule after t0 and returns the rules.
func (p *prom) waitRulesEvaluatedAfter(t *testing.T, ctx context.Context, t0 time.Time) []rule {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rules, err := p.rules(ctx)
		done := err == nil && len(rules) > 0
		for _, r := range rules {
			at, perr := time.Parse(time.RFC3339Nano, r.LastEvaluation)
			if perr != nil || !at.After(t0) {
				done = false
			}
		}
		if done {
			return rules
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rules were not all evaluated after %v: %+v, %v", t0.Format(time.RFC3339Nano), rules, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
