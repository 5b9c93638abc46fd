package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticker-dev/ticker/client"
)

// dashboardFile is the Grafana dashboard of the gateway.
const dashboardFile = "../dashboards/ticker.json"

// The parts of Grafana's dashboard JSON model the tests read.
type grafanaDashboard struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	SchemaVersion int      `json:"schemaVersion"`
	Refresh       string   `json:"refresh"`
	Tags          []string `json:"tags"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []grafanaVariable `json:"list"`
	} `json:"templating"`
	Panels []grafanaPanel `json:"panels"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type grafanaPanel struct {
	ID          int             `json:"id"`
	Type        string          `json:"type"`
	Title       string          `json:"title"`
	Datasource  *datasourceRef  `json:"datasource"`
	GridPos     *grafanaGridPos `json:"gridPos"`
	Targets     []grafanaTarget `json:"targets"`
	Panels      []grafanaPanel  `json:"panels"` // a collapsed row's panels
	FieldConfig struct {
		Defaults struct {
			Unit     string            `json:"unit"`
			Mappings []json.RawMessage `json:"mappings"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

type grafanaGridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

type grafanaTarget struct {
	Expr       string         `json:"expr"`
	RefID      string         `json:"refId"`
	Datasource *datasourceRef `json:"datasource"`
}

type grafanaVariable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Datasource *datasourceRef  `json:"datasource"`
	Query      json.RawMessage `json:"query"` // a string, or {"query": "..."} since Grafana 10
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
}

// queryText is the variable's query whichever form it is stored in.
func (v grafanaVariable) queryText() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var q struct {
		Query string `json:"query"`
	}
	_ = json.Unmarshal(v.Query, &q)
	return q.Query
}

// theDatasource is what every panel, target and query variable must use:
// the dashboard's datasource variable.
var theDatasource = datasourceRef{Type: "prometheus", UID: "${datasource}"}

func loadDashboard(t *testing.T) grafanaDashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// allPanels returns every panel, rows and the panels of collapsed rows
// included, in order.
func allPanels(ps []grafanaPanel) []grafanaPanel {
	var out []grafanaPanel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// name is how failures name a panel.
func (p grafanaPanel) name() string { return fmt.Sprintf("panel %d %q", p.ID, p.Title) }

var (
	// selectorRe matches a series selector's label matchers, rangeRe a range.
	selectorRe = regexp.MustCompile(`\{[^{}]*\}`)
	rangeRe    = regexp.MustCompile(`\[([^\]]*)\]`)
	// varRe matches a Grafana variable: $name or ${name}.
	varRe         = regexp.MustCompile(`\$\{?(\w+)\}?`)
	labelValuesRe = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)
)

func TestTheDashboardIsWellFormedAndEveryPanelUsesTheVariables(t *testing.T) {
	d := loadDashboard(t)
	if d.UID != "ticker" || d.Title != "ticker" {
		t.Errorf("uid %q title %q, want ticker and ticker", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d, want a current one (36 or later)", d.SchemaVersion)
	}
	if d.Refresh != "10s" || d.Time.From != "now-1h" || d.Time.To != "now" || len(d.Tags) == 0 {
		t.Errorf("refresh %q, time %+v, tags %q: want 10s, the last hour, some tags", d.Refresh, d.Time, d.Tags)
	}

	vars := map[string]grafanaVariable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if ds := vars["datasource"]; ds.Type != "datasource" || ds.queryText() != "prometheus" {
		t.Errorf("variable datasource is %+v, want type datasource, query prometheus", ds)
	}
	for _, name := range []string{"job", "instance"} {
		v, ok := vars[name]
		switch {
		case !ok:
			t.Errorf("no variable %s", name)
		case v.Type != "query" || !v.Multi || !v.IncludeAll:
			t.Errorf("variable %s: type %q multi %v includeAll %v, want a multi-value query with All", name, v.Type, v.Multi, v.IncludeAll)
		case v.Datasource == nil || *v.Datasource != theDatasource:
			t.Errorf("variable %s: datasource %+v, want %+v", name, v.Datasource, theDatasource)
		case !labelValuesRe.MatchString(v.queryText()):
			t.Errorf("variable %s: query %q is not label_values(selector, label)", name, v.queryText())
		}
	}

	ids := map[int]string{}
	for _, p := range allPanels(d.Panels) {
		if p.ID <= 0 {
			t.Errorf("%s has no id", p.name())
		} else if other, dup := ids[p.ID]; dup {
			t.Errorf("%s has the id of %q", p.name(), other)
		}
		ids[p.ID] = p.Title
		if p.Datasource == nil || *p.Datasource != theDatasource {
			t.Errorf("%s: datasource %+v, want %+v", p.name(), p.Datasource, theDatasource)
		}
		if g := p.GridPos; g == nil || g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("%s: gridPos %+v, want one within the 24 columns", p.name(), g)
		}
		if p.Type == "row" {
			continue
		}
		if p.FieldConfig.Defaults.Unit == "" {
			t.Errorf("%s has no unit", p.name())
		}
		if len(p.Targets) == 0 {
			t.Errorf("%s has no query", p.name())
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.RefID == "" || refs[tg.RefID] {
				t.Errorf("%s: refId %q missing or repeated", p.name(), tg.RefID)
			}
			refs[tg.RefID] = true
			if tg.Datasource != nil && *tg.Datasource != theDatasource {
				t.Errorf("%s: a query's datasource is %+v, want %+v", p.name(), tg.Datasource, theDatasource)
			}
			for _, m := range selectorRe.FindAllString(tg.Expr, -1) {
				if !strings.Contains(m, `job=~"$job"`) || !strings.Contains(m, `instance=~"$instance"`) {
					t.Errorf("%s: selector %s of %s is not filtered by $job and $instance", p.name(), m, tg.Expr)
				}
			}
			if !strings.Contains(tg.Expr, "{") {
				t.Errorf("%s: %s selects no series by $job and $instance", p.name(), tg.Expr)
			}
			for _, m := range rangeRe.FindAllStringSubmatch(tg.Expr, -1) {
				if m[1] != "$__rate_interval" && m[1] != "$__range" {
					t.Errorf("%s: range [%s] in %s, want [$__rate_interval]", p.name(), m[1], tg.Expr)
				}
			}
		}
	}
	// Panels of the open layout do not overlap (a collapsed row's panels
	// only show in place of the row).
	for i, a := range d.Panels {
		for _, b := range d.Panels[i+1:] {
			if a.GridPos != nil && b.GridPos != nil && overlap(*a.GridPos, *b.GridPos) {
				t.Errorf("%s and %s overlap", a.name(), b.name())
			}
		}
	}

	// The NATS state reads as words, not as 0 and 1.
	found := false
	for _, p := range allPanels(d.Panels) {
		if len(p.Targets) == 0 || !strings.Contains(p.Targets[0].Expr, "ticker_nats_connected") || p.Type == "stat" {
			continue
		}
		found = true
		maps, _ := json.Marshal(p.FieldConfig.Defaults.Mappings)
		if !strings.Contains(string(maps), `"connected"`) || !strings.Contains(string(maps), `"disconnected"`) {
			t.Errorf("%s: value mappings %s, want 1 connected and 0 disconnected", p.name(), maps)
		}
	}
	if !found {
		t.Error("no panel shows the NATS connection state per pod")
	}
}

func overlap(a, b grafanaGridPos) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// expand replaces the dashboard's variables in a query by what Grafana
// would send for "All" over a 1 s scrape interval; it fails on a variable
// the dashboard does not define.
func expand(query string, vars map[string]string) (string, error) {
	var unknown []string
	out := varRe.ReplaceAllStringFunc(query, func(m string) string {
		name := varRe.FindStringSubmatch(m)[1]
		v, ok := vars[name]
		if !ok {
			unknown = append(unknown, m)
		}
		return v
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("unknown variables %q", unknown)
	}
	return out, nil
}

func TestEveryDashboardPanelReturnsDataFromARealPrometheus(t *testing.T) {
	lookTool(t, "prometheus")
	d := loadDashboard(t)

	natsAddr, addr := freeAddr(t), freeAddr(t)
	start(t, "ticker", nil, "--listen", addr, "--nats-listen", natsAddr, "--feed=false")
	waitReady(t, addr)
	ctx := testCtx(t, 80*time.Second)

	// One connection opened and closed before the first scrape, so that the
	// closed-by-code series exists all along (it appears on the first close).
	c, err := client.Dial(ctx, "ws://"+addr+"/ws", client.DialOptions{Codec: client.Msgpack})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	scrapeUntil(t, addr, "ticker_connections_closed_total{")

	p := startPrometheus(t, addr, alertRulesFile)
	p.waitScrapedAfter(t, ctx, "ticker", time.Now())

	// Real traffic, bounded: 50 connections, 5 of 20 subjects each, 200
	// updates/s for 10 s, about 2500 deliveries/s.
	load := start(t, "feedsim", nil, "load", "--url", "ws://"+addr+"/ws", "--nats-url", "nats://"+natsAddr,
		"--conns", "50", "--subs-per-conn", "5", "--subjects", "20", "--rate", "200",
		"--duration", "10s", "--ramp", "1s", "--warmup", "1s")
	if code := load.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("feedsim load exited %d:\n%s", code, load.out)
	}
	// Evaluate at a successful scrape after the load: its last 15 s (the
	// rate window) hold the traffic, and every series has a fresh sample.
	at := p.waitScrapedAfter(t, ctx, "ticker", time.Now())

	vars := map[string]string{
		"__rate_interval": "15s", // Grafana: at least 4 scrape intervals
		"__interval":      "1s",
		"__range":         "5m",
	}
	for _, v := range d.Templating.List {
		vars[v.Name] = ".*"
	}

	// The alerting rules derived from the dashboard evaluate without error
	// on the same data, and none fires on a healthy gateway (each needs its
	// condition to hold longer than this test runs).
	t.Run("alert rules", func(t *testing.T) {
		for _, r := range p.waitRulesEvaluatedAfter(t, ctx, at) {
			if r.Health != "ok" || r.LastError != "" {
				t.Errorf("rule %s: health %q, error %q", r.Name, r.Health, r.LastError)
			}
			if r.State == "firing" {
				t.Errorf("alert %s fires on a healthy gateway", r.Name)
			}
		}
	})

	t.Run("variables", func(t *testing.T) {
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			q, err := expand(v.queryText(), vars)
			if err != nil {
				t.Errorf("variable %s: %v", v.Name, err)
				continue
			}
			m := labelValuesRe.FindStringSubmatch(q)
			if m == nil {
				t.Errorf("variable %s: %q is not label_values(selector, label)", v.Name, q)
				continue
			}
			values, err := p.labelValues(ctx, m[2], m[1])
			if err != nil || len(values) == 0 {
				t.Errorf("variable %s: %s gave %q, %v; want values", v.Name, q, values, err)
			}
			if want := map[string]string{"job": "ticker", "instance": addr}[v.Name]; want != "" && !slices.Contains(values, want) {
				t.Errorf("variable %s: %s gave %q, want %q among them", v.Name, q, values, want)
			}
		}
	})

	for _, pn := range allPanels(d.Panels) {
		for _, tg := range pn.Targets {
			t.Run(fmt.Sprintf("%s/%s", pn.Title, tg.RefID), func(t *testing.T) {
				expr, err := expand(tg.Expr, vars)
				if err != nil {
					t.Fatalf("panel %q: %s: %v", pn.Title, tg.Expr, err)
				}
				result, err := p.query(ctx, expr, at)
				if err != nil {
					t.Fatalf("panel %q: %s: %v", pn.Title, expr, err)
				}
				if len(result) == 0 {
					t.Fatalf("panel %q: %s returned no series", pn.Title, expr)
				}
				for _, s := range result {
					if math.IsNaN(s.Value) {
						t.Errorf("panel %q: %s returned NaN for %v (no samples in the window)", pn.Title, expr, s.Metric)
					}
				}
			})
		}
	}

	// The traffic shows where it should: the panels are not just zeros.
	moving := []string{
		`sum(rate(ticker_deliveries_total[15s]))`,
		`sum(rate(ticker_frames_written_total[15s]))`,
		`sum(rate(ticker_delivery_latency_seconds_count[15s]))`,
		`sum(rate(ticker_feed_messages_total{result="accepted"}[15s]))`,
	}
	for _, expr := range moving {
		s, err := p.query(ctx, expr, at)
		if err != nil || len(s) != 1 || !(s[0].Value > 0) {
			t.Errorf("%s = %v, %v; want more than 0 after the load", expr, s, err)
		}
	}
}
