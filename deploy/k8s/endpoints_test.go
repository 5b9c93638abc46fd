package k8s

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/ticker-dev/ticker/internal/app"
)

// TestTheGatewayAnswersEveryPathTheManifestsCall starts a real gateway (with
// its embedded NATS) and asks it for every path the manifests send to it:
// the probes' and Prometheus' scrape path. Each must answer 200.
func TestTheGatewayAnswersEveryPathTheManifestsCall(t *testing.T) {
	cfg := app.Defaults()
	cfg.Listen, cfg.NATSListen, cfg.Feed = "127.0.0.1:0", "127.0.0.1:0", app.FeedOff
	gw, err := app.Start(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := gw.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	}()
	forEachStack(t, func(t *testing.T, s *stack) {
		w := mustWorkload(t, s, "Deployment", gatewayName)
		c := container(t, w, gatewayName)
		paths := map[string]string{"prometheus.io/path": w.template.Annotations["prometheus.io/path"]}
		for name, probe := range map[string]*corev1.Probe{
			"liveness probe": c.LivenessProbe, "readiness probe": c.ReadinessProbe, "startup probe": c.StartupProbe,
		} {
			if probe != nil && probe.HTTPGet != nil {
				paths[name] = probe.HTTPGet.Path
			}
		}
		for name, path := range paths {
			resp, err := http.Get("http://" + gw.Addr() + path)
			if err != nil {
				t.Fatalf("%s %s: %v", name, path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: GET %s = %d, want 200 from a ready gateway", name, path, resp.StatusCode)
			}
		}
	})
}
