package k8s

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestPodsRunHardened(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, w := range workloads(s) {
			spec := &w.template.Spec
			pod := spec.SecurityContext
			if pod == nil {
				pod = &corev1.PodSecurityContext{}
			}
			if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
				t.Errorf("%s: the pod mounts a service account token", w)
			}
			for _, c := range append(spec.InitContainers, spec.Containers...) {
				sc := c.SecurityContext
				if sc == nil {
					t.Errorf("%s container %s: no securityContext", w, c.Name)
					continue
				}
				if !isTrue(first(sc.RunAsNonRoot, pod.RunAsNonRoot)) {
					t.Errorf("%s container %s: runAsNonRoot is not set", w, c.Name)
				}
				if uid := first(sc.RunAsUser, pod.RunAsUser); uid == nil || *uid == 0 {
					t.Errorf("%s container %s: runs as root or as the image's user", w, c.Name)
				}
				if !isTrue(sc.ReadOnlyRootFilesystem) {
					t.Errorf("%s container %s: the root filesystem is writable", w, c.Name)
				}
				if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || isTrue(sc.Privileged) {
					t.Errorf("%s container %s: may escalate privileges", w, c.Name)
				}
				if sc.Capabilities == nil || len(sc.Capabilities.Add) != 0 ||
					len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
					t.Errorf("%s container %s: capabilities %+v, want drop ALL and add none", w, c.Name, sc.Capabilities)
				}
				if sp := first(sc.SeccompProfile, pod.SeccompProfile); sp == nil || sp.Type != corev1.SeccompProfileTypeRuntimeDefault {
					t.Errorf("%s container %s: seccomp profile is not RuntimeDefault", w, c.Name)
				}
			}
		}
	})
}

func TestContainersRequestAndLimitResources(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, w := range workloads(s) {
			for _, c := range w.template.Spec.Containers {
				for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
					req, hasReq := c.Resources.Requests[r]
					lim, hasLim := c.Resources.Limits[r]
					switch {
					case !hasReq || !hasLim:
						t.Errorf("%s container %s: want a %s request and limit", w, c.Name, r)
					case req.Cmp(lim) > 0:
						t.Errorf("%s container %s: %s request %s is over its limit %s", w, c.Name, r, req.String(), lim.String())
					}
				}
			}
		}
	})
}

func TestImagesArePinned(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, w := range workloads(s) {
			for _, c := range w.template.Spec.Containers {
				tag := imageTag(c.Image)
				switch {
				case tag == "" && !strings.Contains(c.Image, "@sha256:"):
					t.Errorf("%s container %s: image %q has no tag", w, c.Name, c.Image)
				case tag == "latest":
					t.Errorf("%s container %s: image %q is :latest", w, c.Name, c.Image)
				case s.prod && tag == "dev":
					t.Errorf("%s container %s: prod runs the development image %q", w, c.Name, c.Image)
				}
				if c.ImagePullPolicy == corev1.PullNever {
					t.Errorf("%s container %s: imagePullPolicy Never", w, c.Name)
				}
			}
		}
	})
}

// imageTag returns the tag of an image reference, or "" without one.
func imageTag(image string) string {
	image, _, _ = strings.Cut(image, "@")
	last := image[strings.LastIndex(image, "/")+1:] // a registry's host:port has its own colon
	if _, tag, ok := strings.Cut(last, ":"); ok {
		return tag
	}
	return ""
}

func TestEveryObjectCarriesTheCommonLabels(t *testing.T) {
	keys := []string{"app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of"}
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, o := range s.objects {
			labels := o.value.(interface{ GetLabels() map[string]string }).GetLabels()
			for _, k := range keys {
				if labels[k] == "" {
					t.Errorf("%s: no label %s", o, k)
				}
			}
			if labels["app.kubernetes.io/part-of"] != "ticker" {
				t.Errorf("%s: part-of %q, want ticker", o, labels["app.kubernetes.io/part-of"])
			}
		}
		for _, w := range workloads(s) {
			for _, k := range keys {
				if w.template.Labels[k] == "" {
					t.Errorf("%s: pod template has no label %s", w, k)
				}
			}
		}
	})
}

func isTrue(b *bool) bool { return b != nil && *b }

// first returns the first of its arguments that is set: a container's
// setting, else its pod's.
func first[T any](vs ...*T) *T {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
