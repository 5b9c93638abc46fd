package k8s

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// stacks are what an operator applies: each overlay, with the load-test Job
// (deploy/k8s/loadtest) applied into its namespace beside it, and the base.
var stacks = []struct {
	name string
	dirs []string
	prod bool
}{
	{name: "base", dirs: []string{"base", "loadtest"}},
	{name: "dev", dirs: []string{"overlays/dev", "loadtest"}},
	{name: "prod", dirs: []string{"overlays/prod", "loadtest"}, prod: true},
}

// object is one built manifest, decoded into its k8s.io/api type.
type object struct {
	apiVersion, kind, name string
	value                  any
}

func (o object) String() string { return o.kind + "/" + o.name }

// stack is the objects of one or more kustomize builds, as applied together.
type stack struct {
	name    string
	prod    bool
	objects []object
}

// kinds maps apiVersion and kind to a new value of its Go type: the only
// kinds the manifests may hold. Anything else fails the build.
var kinds = map[string]func() any{
	"v1/Namespace":                           func() any { return new(corev1.Namespace) },
	"v1/ServiceAccount":                      func() any { return new(corev1.ServiceAccount) },
	"v1/ConfigMap":                           func() any { return new(corev1.ConfigMap) },
	"v1/Service":                             func() any { return new(corev1.Service) },
	"apps/v1/Deployment":                     func() any { return new(appsv1.Deployment) },
	"apps/v1/StatefulSet":                    func() any { return new(appsv1.StatefulSet) },
	"policy/v1/PodDisruptionBudget":          func() any { return new(policyv1.PodDisruptionBudget) },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return new(autoscalingv2.HorizontalPodAutoscaler) },
	"batch/v1/Job":                           func() any { return new(batchv1.Job) },
}

// decode decodes one object's JSON into its type as strictly as the API
// server does (case-sensitive field names, as sigs.k8s.io/json decodes for
// it): an unknown, misspelt or duplicated field, or an unknown kind, is an
// error.
func decode(apiVersion, kind string, data []byte) (any, error) {
	newValue, ok := kinds[apiVersion+"/"+kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind %s %s", apiVersion, kind)
	}
	v := newValue()
	strict, err := sigsjson.UnmarshalStrict(data, v, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err == nil {
		err = errors.Join(strict...)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	return v, nil
}

var builds sync.Map // directory -> buildResult

type buildResult struct {
	objects []object
	err     error
}

// build runs kustomize on dir (relative to deploy/k8s) with the Go API and
// decodes every object; builds are cached for the whole test run.
func build(dir string) ([]object, error) {
	if r, ok := builds.Load(dir); ok {
		return r.(buildResult).objects, r.(buildResult).err
	}
	objects, err := buildUncached(dir)
	builds.Store(dir, buildResult{objects, err})
	return objects, err
}

func buildUncached(dir string) ([]object, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), abs)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var objects []object
	for _, r := range resources.Resources() {
		data, err := r.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", dir, r.CurId(), err)
		}
		v, err := decode(r.GetApiVersion(), r.GetKind(), data)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", dir, r.GetName(), err)
		}
		objects = append(objects, object{r.GetApiVersion(), r.GetKind(), r.GetName(), v})
	}
	return objects, nil
}

// forEachStack builds every stack and runs f on it as a subtest.
func forEachStack(t *testing.T, f func(t *testing.T, s *stack)) {
	t.Helper()
	for _, tc := range stacks {
		t.Run(tc.name, func(t *testing.T) {
			s := &stack{name: tc.name, prod: tc.prod}
			for _, dir := range tc.dirs {
				objects, err := build(dir)
				if err != nil {
					t.Fatal(err)
				}
				s.objects = append(s.objects, objects...)
			}
			f(t, s)
		})
	}
}

// all returns the stack's objects of type T.
func all[T any](s *stack) []*T {
	var out []*T
	for _, o := range s.objects {
		if v, ok := o.value.(*T); ok {
			out = append(out, v)
		}
	}
	return out
}

// named returns the stack's object of type T with the given name, or nil.
func named[T any](s *stack, name string) *T {
	for _, o := range s.objects {
		if v, ok := o.value.(*T); ok && o.name == name {
			return v
		}
	}
	return nil
}

// mustNamed is named, failing the test when the object is missing.
func mustNamed[T any](t *testing.T, s *stack, name string) *T {
	t.Helper()
	v := named[T](s, name)
	if v == nil {
		t.Fatalf("no %T named %q", v, name)
	}
	return v
}
