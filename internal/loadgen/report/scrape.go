package report

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ServerStats are the servers' costs, from their /metrics, summed over them.
type ServerStats struct {
	URLs []string `json:"urls"`
	// CPUSeconds and Deliveries are over the measured window; Deliveries are
	// the servers' ticker_deliveries_total, or the load generator's delivered
	// count when a server has no such counter (DeliveriesFrom says which).
	CPUSeconds      float64 `json:"cpu_seconds"`
	Deliveries      float64 `json:"deliveries"`
	DeliveriesFrom  string  `json:"deliveries_from"`
	CPUSecondsPer1M float64 `json:"cpu_seconds_per_1m_deliveries"`
	RSSBefore       float64 `json:"rss_before_bytes"` // before the connections opened
	RSSIdle         float64 `json:"rss_idle_bytes"`   // all subscribed, nothing published yet
	RSSEnd          float64 `json:"rss_end_bytes"`
	RSSPerIdleConn  float64 `json:"rss_per_idle_conn_bytes"`
}

// sample is what one scrape read, summed over the servers.
type sample struct {
	cpu, rss, deliveries float64
	allDeliveries        bool // every server has ticker_deliveries_total
}

// Scraper reads the servers' /metrics at three points of a run: before the
// connections open, once they are all subscribed and idle, and at the end.
// The first scrape drops the servers that do not answer; the load goes on
// without their figures.
type Scraper struct {
	urls              []string
	client            *http.Client
	before, idle, end sample
	ended             bool // every kept server answered the end scrape
}

// NewScraper returns a scraper of the /metrics URLs.
func NewScraper(urls []string) *Scraper {
	return &Scraper{urls: urls, client: &http.Client{
		Timeout:   3 * time.Second,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}}
}

// Before scrapes every server before the connections open and keeps those
// that answered.
func (s *Scraper) Before(ctx context.Context) {
	var kept []string
	sum := sample{allDeliveries: true}
	for _, u := range s.urls {
		m, err := s.one(ctx, u)
		if err != nil {
			continue
		}
		kept = append(kept, u)
		sum.add(m)
	}
	s.urls, s.before = kept, sum
}

// Idle scrapes the kept servers with every connection subscribed, before
// publishing.
func (s *Scraper) Idle(ctx context.Context) { s.idle, _ = s.scrape(ctx) }

// End scrapes the kept servers after the last deliveries.
func (s *Scraper) End(ctx context.Context) { s.end, s.ended = s.scrape(ctx) }

// Stats computes the servers' costs from the three scrapes, or nil when
// no server answered or one did not answer the end scrape. conns are the
// connections that subscribed; delivered is the load generator's count, for
// servers that do not count deliveries.
func (s *Scraper) Stats(conns int, delivered uint64) *ServerStats {
	if !s.ended {
		return nil
	}
	return serverStats(s.urls, s.before, s.idle, s.end, conns, delivered)
}

// scrape reads every kept server; false if any failed or none is kept.
func (s *Scraper) scrape(ctx context.Context) (sample, bool) {
	sum := sample{allDeliveries: true}
	for _, u := range s.urls {
		m, err := s.one(ctx, u)
		if err != nil {
			return sum, false
		}
		sum.add(m)
	}
	return sum, len(s.urls) > 0
}

func (s *sample) add(o sample) {
	s.cpu += o.cpu
	s.rss += o.rss
	s.deliveries += o.deliveries
	s.allDeliveries = s.allDeliveries && o.allDeliveries
}

func (s *Scraper) one(ctx context.Context, url string) (sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return sample{}, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return sample{}, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return sample{}, fmt.Errorf("scrape %s: %s", url, resp.Status)
	}
	return parseMetrics(resp)
}

// parseMetrics reads the figures the report needs from a text exposition.
func parseMetrics(resp *http.Response) (sample, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return sample{}, fmt.Errorf("parse metrics of %s: %w", resp.Request.URL, err)
	}
	value := func(name string) (float64, bool) {
		f, ok := fams[name]
		if !ok || len(f.GetMetric()) == 0 {
			return 0, false
		}
		var v float64
		for _, m := range f.GetMetric() {
			switch {
			case m.GetCounter() != nil:
				v += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				v += m.GetGauge().GetValue()
			case m.GetUntyped() != nil:
				v += m.GetUntyped().GetValue()
			}
		}
		return v, true
	}
	var s sample
	var ok bool
	if s.cpu, ok = value("process_cpu_seconds_total"); !ok {
		return s, fmt.Errorf("metrics of %s: no process_cpu_seconds_total", resp.Request.URL)
	}
	s.rss, _ = value("process_resident_memory_bytes")
	s.deliveries, s.allDeliveries = value("ticker_deliveries_total")
	return s, nil
}

// serverStats computes the servers' costs from the three scrapes; delivered
// is the load generator's count, for servers that do not count deliveries.
func serverStats(urls []string, before, idle, end sample, conns int, delivered uint64) *ServerStats {
	st := &ServerStats{URLs: urls, RSSBefore: before.rss, RSSIdle: idle.rss, RSSEnd: end.rss,
		CPUSeconds: end.cpu - idle.cpu}
	if conns > 0 {
		st.RSSPerIdleConn = (idle.rss - before.rss) / float64(conns)
	}
	st.Deliveries, st.DeliveriesFrom = float64(delivered), "load generator"
	if end.allDeliveries && idle.allDeliveries {
		st.Deliveries, st.DeliveriesFrom = end.deliveries-idle.deliveries, "server"
	}
	if st.Deliveries > 0 {
		st.CPUSecondsPer1M = st.CPUSeconds / st.Deliveries * 1e6
	}
	return st
}
