package k8s

import (
	"fmt"
	"strconv"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// workload is what Deployments, StatefulSets and Jobs have in common: pods
// made from a template.
type workload struct {
	kind, name string
	selector   *metav1.LabelSelector // nil for a Job (it makes its own)
	replicas   int32
	template   *corev1.PodTemplateSpec
}

func (w workload) String() string { return w.kind + "/" + w.name }

func workloads(s *stack) []workload {
	var out []workload
	for _, d := range all[appsv1.Deployment](s) {
		out = append(out, workload{"Deployment", d.Name, d.Spec.Selector, replicas(d.Spec.Replicas), &d.Spec.Template})
	}
	for _, ss := range all[appsv1.StatefulSet](s) {
		out = append(out, workload{"StatefulSet", ss.Name, ss.Spec.Selector, replicas(ss.Spec.Replicas), &ss.Spec.Template})
	}
	for _, j := range all[batchv1.Job](s) {
		out = append(out, workload{"Job", j.Name, nil, 1, &j.Spec.Template})
	}
	return out
}

func replicas(n *int32) int32 {
	if n == nil {
		return 1 // the API server's default
	}
	return *n
}

// selects reports whether sel selects pods labelled podLabels; a nil or
// empty selector selects nothing here (it would select every pod).
func selects(sel *metav1.LabelSelector, podLabels map[string]string) (bool, error) {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false, nil
	}
	ls, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false, err
	}
	return ls.Matches(labels.Set(podLabels)), nil
}

// selectedWorkloads returns the workloads whose pods sel selects.
func selectedWorkloads(t *testing.T, s *stack, sel *metav1.LabelSelector) []workload {
	t.Helper()
	var out []workload
	for _, w := range workloads(s) {
		ok, err := selects(sel, w.template.Labels)
		if err != nil {
			t.Fatalf("selector %v: %v", sel, err)
		}
		if ok {
			out = append(out, w)
		}
	}
	return out
}

// container returns the named container of a pod template.
func container(t *testing.T, w workload, name string) *corev1.Container {
	t.Helper()
	for i := range w.template.Spec.Containers {
		if c := &w.template.Spec.Containers[i]; c.Name == name {
			return c
		}
	}
	t.Fatalf("%s has no container %q", w, name)
	return nil
}

// mustWorkload returns the workload of the given kind and name.
func mustWorkload(t *testing.T, s *stack, kind, name string) workload {
	t.Helper()
	for _, w := range workloads(s) {
		if w.kind == kind && w.name == name {
			return w
		}
	}
	t.Fatalf("no %s/%s", kind, name)
	return workload{}
}

// containerPort resolves a Service targetPort or a probe port against the
// ports of the pod's containers, by name or by number.
func containerPort(spec *corev1.PodSpec, port intstr.IntOrString) (corev1.ContainerPort, error) {
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			if (port.Type == intstr.String && p.Name == port.StrVal) ||
				(port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
				return p, nil
			}
		}
	}
	return corev1.ContainerPort{}, fmt.Errorf("port %s is no container port", port.String())
}

// env is a container's environment as the kubelet builds it from literal
// values and ConfigMaps (envFrom, then env, later entries winning). Values
// from other sources (the downward API, Secrets) are left out.
func env(t *testing.T, s *stack, c *corev1.Container) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			continue
		}
		cm := named[corev1.ConfigMap](s, from.ConfigMapRef.Name)
		if cm == nil {
			if from.ConfigMapRef.Optional != nil && *from.ConfigMapRef.Optional {
				continue
			}
			t.Fatalf("container %s: envFrom names ConfigMap %q, which is not in the manifests", c.Name, from.ConfigMapRef.Name)
		}
		for k, v := range cm.Data {
			out[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = e.Value
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm := named[corev1.ConfigMap](s, ref.Name)
			if cm == nil {
				t.Fatalf("container %s: %s names ConfigMap %q, which is not in the manifests", c.Name, e.Name, ref.Name)
			}
			v, ok := cm.Data[ref.Key]
			if !ok {
				t.Fatalf("container %s: %s names key %q, which ConfigMap %s lacks", c.Name, e.Name, ref.Key, ref.Name)
			}
			out[e.Name] = v
		}
	}
	return out
}

// atoi parses a decimal integer setting, failing the test on bad input.
func atoi(t *testing.T, what, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return n
}

// labelSelector is a Service's selector map as a LabelSelector.
func labelSelector(m map[string]string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: m}
}
