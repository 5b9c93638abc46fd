package k8s

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The gateway as the manifests name it.
const (
	gatewayName      = "ticker" // Deployment, container, Service, HPA, PDB
	gatewayPortName  = "http"
	tickerSource     = "cmd/ticker/main.go"
	tickerCLI        = "cli"
	drainWindowEnv   = "TICKER_DRAIN_WINDOW"
	listenEnv        = "TICKER_LISTEN"
	natsURLEnv       = "TICKER_NATS_URL"
	snapshotReplicas = "TICKER_SNAPSHOT_REPLICAS"
)

// tickerFlags returns cmd/ticker's flags by environment variable.
func tickerFlags(t *testing.T) map[string]flag {
	t.Helper()
	fs, err := flags(tickerSource, tickerCLI)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]flag{}
	for _, f := range fs {
		for _, e := range strings.Split(f.env, ",") {
			if e != "" {
				out[e] = f
			}
		}
	}
	return out
}

// gatewaySetting is a TICKER_* setting of the gateway container: its value
// in the manifests, else the flag's default.
func gatewaySetting(t *testing.T, s *stack, name string) string {
	t.Helper()
	w := mustWorkload(t, s, "Deployment", gatewayName)
	if v, ok := env(t, s, container(t, w, gatewayName))[name]; ok {
		return v
	}
	f, ok := tickerFlags(t)[name]
	if !ok {
		t.Fatalf("%s is no flag of %s", name, tickerSource)
	}
	return f.def
}

func TestEveryTickerVariableIsAFlagOfTicker(t *testing.T) {
	known := tickerFlags(t)
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, w := range workloads(s) {
			for i := range w.template.Spec.Containers {
				c := &w.template.Spec.Containers[i]
				for name := range env(t, s, c) {
					if _, ok := known[name]; strings.HasPrefix(name, "TICKER_") && !ok {
						t.Errorf("%s container %s: %s is no flag's variable in %s", w, c.Name, name, tickerSource)
					}
				}
			}
		}
	})
}

func TestGatewayListensOnItsContainerPort(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		w := mustWorkload(t, s, "Deployment", gatewayName)
		c := container(t, w, gatewayName)
		_, port, err := net.SplitHostPort(gatewaySetting(t, s, listenEnv))
		if err != nil {
			t.Fatalf("%s: %v", listenEnv, err)
		}
		if len(c.Ports) != 1 || c.Ports[0].Name != gatewayPortName {
			t.Fatalf("container ports %+v, want exactly one, named %s: the gateway serves everything on one port", c.Ports, gatewayPortName)
		}
		if got, want := c.Ports[0].ContainerPort, int32(atoi(t, listenEnv, port)); got != want {
			t.Errorf("containerPort %d, but %s listens on %d", got, listenEnv, want)
		}
	})
}

func TestGatewayProbesUseItsHealthEndpoints(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		w := mustWorkload(t, s, "Deployment", gatewayName)
		c := container(t, w, gatewayName)
		for _, tc := range []struct {
			name  string
			probe *corev1.Probe
			paths []string
		}{
			{"liveness", c.LivenessProbe, []string{"/healthz"}},
			{"readiness", c.ReadinessProbe, []string{"/readyz"}},
			{"startup", c.StartupProbe, []string{"/healthz", "/readyz"}},
		} {
			if tc.probe == nil {
				if tc.name != "startup" {
					t.Errorf("no %s probe", tc.name)
				}
				continue
			}
			get := tc.probe.HTTPGet
			if get == nil {
				t.Errorf("%s probe: not an HTTP GET", tc.name)
				continue
			}
			if !slices.Contains(tc.paths, get.Path) {
				t.Errorf("%s probe: path %q, want one of %v", tc.name, get.Path, tc.paths)
			}
			p, err := containerPort(&w.template.Spec, get.Port)
			if err != nil || p.Name != gatewayPortName {
				t.Errorf("%s probe: port %s is not the %s port (%v)", tc.name, get.Port.String(), gatewayPortName, err)
			}
		}
	})
}

func TestGracePeriodOutlastsPreStopAndDrain(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		w := mustWorkload(t, s, "Deployment", gatewayName)
		c := container(t, w, gatewayName)
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
			t.Fatal("no preStop sleep: the pod would get SIGTERM while endpoints still send it clients")
		}
		if c.Lifecycle.PreStop.Exec != nil || c.Lifecycle.PreStop.HTTPGet != nil {
			t.Error("preStop has more than a sleep (the image has no shell)")
		}
		preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
		if preStop <= 0 {
			t.Errorf("preStop sleeps %v", preStop)
		}
		drain, err := time.ParseDuration(gatewaySetting(t, s, drainWindowEnv))
		if err != nil {
			t.Fatalf("%s: %v", drainWindowEnv, err)
		}
		grace := w.template.Spec.TerminationGracePeriodSeconds
		if grace == nil {
			t.Fatal("no terminationGracePeriodSeconds (the default 30s is not derived from the drain)")
		}
		if got := time.Duration(*grace) * time.Second; got <= preStop+drain {
			t.Errorf("terminationGracePeriodSeconds %v, want more than preStop %v + drain window %v", got, preStop, drain)
		}
	})
}

func TestPrometheusScrapesTheGatewayPort(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		w := mustWorkload(t, s, "Deployment", gatewayName)
		a := w.template.Annotations
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/path"] != "/metrics" {
			t.Errorf("scrape annotations %v, want scrape true and path /metrics", a)
		}
		p, err := containerPort(&w.template.Spec, intstr.Parse(a["prometheus.io/port"]))
		if err != nil || p.Name != gatewayPortName {
			t.Errorf("prometheus.io/port %q is not the %s port (%v)", a["prometheus.io/port"], gatewayPortName, err)
		}
	})
}

// TestGatewayReplicasHaveOneOwner checks that either the autoscaler or the
// Deployment sets the number of gateways, never both: with replicas in the
// applied Deployment, every kubectl apply would reset an autoscaled count,
// draining every pod above it.
func TestGatewayReplicasHaveOneOwner(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		d := mustNamed[appsv1.Deployment](t, s, gatewayName)
		var hpas []*autoscalingv2.HorizontalPodAutoscaler
		for _, h := range all[autoscalingv2.HorizontalPodAutoscaler](s) {
			ref := h.Spec.ScaleTargetRef
			if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != gatewayName {
				t.Errorf("HPA %s scales %s %s/%s, want apps/v1 Deployment/%s", h.Name, ref.APIVersion, ref.Kind, ref.Name, gatewayName)
				continue
			}
			hpas = append(hpas, h)
		}
		switch {
		case len(hpas) > 1:
			t.Fatalf("%d autoscalers scale the gateway", len(hpas))
		case len(hpas) == 1 && d.Spec.Replicas != nil:
			t.Errorf("the Deployment sets replicas %d and HPA %s scales it: kubectl apply would undo the autoscaler", *d.Spec.Replicas, hpas[0].Name)
		case len(hpas) == 0 && d.Spec.Replicas == nil:
			t.Error("neither the Deployment nor an autoscaler sets the number of gateways")
		case len(hpas) == 0 && s.prod:
			t.Error("prod has no HorizontalPodAutoscaler")
		case len(hpas) == 0:
			return
		}
		h := hpas[0]
		minR := replicas(h.Spec.MinReplicas)
		if minR < 1 || minR > h.Spec.MaxReplicas {
			t.Errorf("HPA %s: min %d, max %d", h.Name, minR, h.Spec.MaxReplicas)
		}
		if s.prod && minR < 3 {
			t.Errorf("HPA %s: prod may run %d gateways, want 3 at least", h.Name, minR)
		}
		cpu := slices.ContainsFunc(h.Spec.Metrics, func(m autoscalingv2.MetricSpec) bool {
			return m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil &&
				m.Resource.Name == corev1.ResourceCPU && m.Resource.Target.AverageUtilization != nil
		})
		if !cpu {
			t.Errorf("HPA %s does not target CPU utilisation", h.Name)
		}
		if b := h.Spec.Behavior; b == nil || b.ScaleDown == nil || b.ScaleDown.StabilizationWindowSeconds == nil {
			t.Errorf("HPA %s has no scale-down stabilisation: every dip would drain a pod", h.Name)
		}
		w := mustWorkload(t, s, "Deployment", gatewayName)
		if c := container(t, w, gatewayName); c.Resources.Requests.Cpu().IsZero() {
			t.Errorf("HPA %s: the gateway requests no CPU, so utilisation is undefined", h.Name)
		}
	})
}

func TestGatewayServiceAccountHasNoToken(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		w := mustWorkload(t, s, "Deployment", gatewayName)
		name := w.template.Spec.ServiceAccountName
		sa := named[corev1.ServiceAccount](s, name)
		if sa == nil {
			t.Fatalf("serviceAccountName %q names no ServiceAccount in the manifests", name)
		}
		if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
			t.Errorf("ServiceAccount %s mounts its token", name)
		}
	})
}
