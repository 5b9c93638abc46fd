package app

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ticker-dev/ticker/internal/fanout"
)

// newRegistry makes the Prometheus registry that every component registers
// its collectors with, and /metrics serves, with the go_ and process_ ones:
// the default Go ones and the scheduler's (go_sched_latencies_seconds is
// what --accept-latency reads).
func (a *App) newRegistry() error {
	a.reg = prometheus.NewRegistry()
	a.reg.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsScheduler)),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return nil
}

// newHub builds the broadcast core on the bus, which it asks to watch the
// patterns its subscribers hold.
func (a *App) newHub() error {
	cfg := a.cfg
	a.hub = fanout.NewHub(fanout.Options{
		MaxQueueBytes: cfg.MaxQueueBytes,
		SlowTimeout:   cfg.SlowTimeout,
		MaxBatch:      cfg.MaxBatch,
		MaxBatchBytes: cfg.MaxBatchBytes,
		FlushInterval: cfg.FlushInterval,
		Bus:           a.bus,
		Metrics:       fanout.NewMetrics(a.reg),
		Logger:        a.log,
	})
	return nil
}

// startBus points the bus at the hub: every update goes to Hub.Deliver, and
// each (re)connection, including one made before this step, to Hub.Resync.
func (a *App) startBus() error {
	a.bus.Start(a.hub.Deliver, a.hub.Resync)
	return nil
}
