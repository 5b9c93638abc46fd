package k8s

import (
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

const (
	loadtestDir    = "loadtest"
	feedsimSource  = "cmd/feedsim/publish.go"
	feedsimPublish = "publishCmd"
)

func TestOverlaysStartNoLoadTest(t *testing.T) {
	for _, tc := range stacks {
		t.Run(tc.name, func(t *testing.T) {
			objects, err := build(tc.dirs[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objects {
				if o.kind == "Job" {
					t.Errorf("%s applies %s: a load test must be started on purpose, from %s", tc.dirs[0], o, loadtestDir)
				}
			}
		})
	}
}

func TestLoadTestJobIsBounded(t *testing.T) {
	objects, err := build(loadtestDir)
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{name: loadtestDir, objects: objects}
	jobs := all[batchv1.Job](s)
	if len(jobs) == 0 {
		t.Fatalf("%s holds no Job", loadtestDir)
	}
	for _, j := range jobs {
		t.Run(j.Name, func(t *testing.T) {
			spec := j.Spec
			if spec.BackoffLimit == nil || *spec.BackoffLimit > 3 {
				t.Errorf("backoffLimit %v, want 3 at most", spec.BackoffLimit)
			}
			if spec.TTLSecondsAfterFinished == nil {
				t.Error("no ttlSecondsAfterFinished: the finished Job would stay forever")
			}
			if spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
				t.Errorf("restartPolicy %q, want Never", spec.Template.Spec.RestartPolicy)
			}
			if spec.ActiveDeadlineSeconds == nil {
				t.Fatal("no activeDeadlineSeconds")
			}
			deadline := time.Duration(*spec.ActiveDeadlineSeconds) * time.Second
			for _, c := range spec.Template.Spec.Containers {
				args := append(slices.Clone(c.Command), c.Args...)
				if d := flagValue(args, "duration"); d != "" {
					dur, err := time.ParseDuration(d)
					if err != nil || dur <= 0 || dur >= deadline {
						t.Errorf("container %s: --duration %q, want a positive duration within activeDeadlineSeconds %v (%v)", c.Name, d, deadline, err)
					}
				}
			}
		})
	}
}

func TestFeedsimJobUsesRealFlagsAndTheNATSService(t *testing.T) {
	fs, err := flags(feedsimSource, feedsimPublish)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"help": true}
	knownEnv := map[string]bool{}
	for _, f := range fs {
		known[f.name] = true
		knownEnv[f.env] = true
	}
	forEachStack(t, func(t *testing.T, s *stack) {
		for _, j := range all[batchv1.Job](s) {
			for _, c := range j.Spec.Template.Spec.Containers {
				args := append(slices.Clone(c.Command), c.Args...)
				if len(args) < 2 || args[0] != "/feedsim" || args[1] != "publish" {
					t.Errorf("Job %s container %s runs %v, want /feedsim publish", j.Name, c.Name, args)
					continue
				}
				for _, a := range args[2:] {
					name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
					if !strings.HasPrefix(a, "--") || !known[name] {
						t.Errorf("Job %s: %q is no flag of feedsim publish (%s)", j.Name, a, feedsimSource)
					}
				}
				for _, e := range c.Env {
					if strings.HasPrefix(e.Name, "FEEDSIM_") && !knownEnv[e.Name] {
						t.Errorf("Job %s: %s is no variable of feedsim publish", j.Name, e.Name)
					}
				}
				u := flagValue(args, "nats-url")
				if u == "" {
					t.Errorf("Job %s: no --nats-url (the default is loopback)", j.Name)
				}
				for _, one := range strings.Split(u, ",") {
					checkNATSURL(t, s, one)
				}
			}
		}
	})
}

// flagValue returns the value of --name=value in args, or "".
func flagValue(args []string, name string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
		if a == "--"+name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
