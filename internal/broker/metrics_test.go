package broker

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestTheGaugesFollowTheBus(t *testing.T) {
	e := startServer(t)
	reg := prometheus.NewRegistry()
	b, err := Connect(Options{URL: e.ClientURL(), Metrics: NewMetrics(reg), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Watch([]string{"quotes.>", "scores.>"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"ticker_nats_connected": 1, "ticker_nats_subscriptions": 2} {
		if got := gauge(t, reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

func gauge(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
