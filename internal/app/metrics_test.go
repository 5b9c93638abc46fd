package app

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ticker-dev/ticker/internal/broker"
	"github.com/ticker-dev/ticker/internal/fanout"
	"github.com/ticker-dev/ticker/internal/gateway"
)

// TestEveryCollectorPassesTheLinter registers every package's collectors in
// one pedantic registry, as Start does: names follow the conventions, help
// texts exist, and no two packages claim one name. (e2e runs promtool on a
// live /metrics too.)
func TestEveryCollectorPassesTheLinter(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	fanout.NewMetrics(reg)
	gateway.NewMetrics(reg)
	broker.NewMetrics(reg)
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}
