package k8s

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestServicesReachContainerPorts(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, svc := range all[corev1.Service](s) {
			ws := selectedWorkloads(t, s, labelSelector(svc.Spec.Selector))
			if len(ws) != 1 {
				t.Errorf("Service %s selects %v, want exactly one workload", svc.Name, ws)
				continue
			}
			for _, p := range svc.Spec.Ports {
				target := p.TargetPort
				if target.Type == intstr.Int && target.IntVal == 0 {
					target = intstr.FromInt32(p.Port) // the API server's default
				}
				if _, err := containerPort(&ws[0].template.Spec, target); err != nil {
					t.Errorf("Service %s port %s: %s: %v", svc.Name, p.Name, ws[0], err)
				}
			}
		}
	})
}

func TestSelectorsMatchTheirPods(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, w := range workloads(s) {
			if w.kind != "Job" {
				if ok, err := selects(w.selector, w.template.Labels); !ok {
					t.Errorf("%s: selector %v does not select its own pod template %v (%v)", w, w.selector, w.template.Labels, err)
				}
			}
			spec := &w.template.Spec
			for _, c := range spec.TopologySpreadConstraints {
				if ok, err := selects(c.LabelSelector, w.template.Labels); !ok {
					t.Errorf("%s: topology spread over %s does not count its own pods (%v)", w, c.TopologyKey, err)
				}
			}
			if a := spec.Affinity; a != nil && a.PodAntiAffinity != nil {
				terms := a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
				for _, wt := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
					terms = append(terms, wt.PodAffinityTerm)
				}
				for _, term := range terms {
					if ok, err := selects(term.LabelSelector, w.template.Labels); !ok {
						t.Errorf("%s: anti-affinity over %s does not avoid its own pods (%v)", w, term.TopologyKey, err)
					}
				}
			}
		}
	})
}

func TestEveryLongRunningWorkloadHasADisruptionBudget(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		covered := map[string]bool{}
		for _, pdb := range all[policyv1.PodDisruptionBudget](s) {
			ws := selectedWorkloads(t, s, pdb.Spec.Selector)
			if len(ws) != 1 {
				t.Errorf("PDB %s selects %v, want exactly one workload", pdb.Name, ws)
				continue
			}
			covered[ws[0].String()] = true
			if (pdb.Spec.MaxUnavailable == nil) == (pdb.Spec.MinAvailable == nil) {
				t.Errorf("PDB %s: want exactly one of maxUnavailable and minAvailable", pdb.Name)
			}
			if m := pdb.Spec.MaxUnavailable; m != nil && m.String() != "1" {
				t.Errorf("PDB %s: maxUnavailable %s, want 1", pdb.Name, m.String())
			}
		}
		for _, w := range workloads(s) {
			if w.kind != "Job" && !covered[w.String()] {
				t.Errorf("%s has no PodDisruptionBudget", w)
			}
		}
	})
}

func TestProbesReachContainerPorts(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, w := range workloads(s) {
			for _, c := range w.template.Spec.Containers {
				for _, probe := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
					if probe == nil || probe.HTTPGet == nil {
						continue
					}
					if _, err := containerPort(&w.template.Spec, probe.HTTPGet.Port); err != nil {
						t.Errorf("%s container %s: probe %s: %v", w, c.Name, probe.HTTPGet.Path, err)
					}
				}
				if w.kind != "Job" && (c.LivenessProbe == nil || c.ReadinessProbe == nil) {
					t.Errorf("%s container %s: want liveness and readiness probes", w, c.Name)
				}
			}
		}
	})
}
