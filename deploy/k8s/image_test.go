package k8s

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// TestBinariesAreStatic builds the image's two binaries as the Dockerfile
// does and checks that they need no dynamic loader: the image is FROM
// scratch, which has none.
func TestBinariesAreStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both binaries")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out+string(filepath.Separator), "./cmd/ticker", "./cmd/feedsim")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, b)
	}
	for _, name := range []string{"ticker", "feedsim"} {
		t.Run(name, func(t *testing.T) {
			f, err := elf.Open(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
					t.Errorf("%s has a %v program header: it is dynamically linked", name, p.Type)
				}
			}
			if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
				t.Errorf("%s needs shared libraries %v", name, libs)
			}
		})
	}
}

// TestDockerfileMatchesTheManifests checks the final image stage against
// what the manifests assume of it: an empty base, the user the pods run as,
// the gateway's port and entrypoint.
func TestDockerfileMatchesTheManifests(t *testing.T) {
	final, froms, err := dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range froms {
		// FROM [--platform=...] image [AS name]
		fields := strings.Fields(from)
		for len(fields) > 1 && strings.HasPrefix(fields[0], "--") {
			fields = fields[1:]
		}
		ref := fields[0]
		if first, _, ok := strings.Cut(ref, "/"); ok && strings.ContainsAny(first, ".:") {
			t.Errorf("FROM %s names a registry host: leave the registry to the builder's configuration", from)
		}
	}
	if final["FROM"] != "scratch" {
		t.Errorf("the final stage is FROM %q, want scratch", final["FROM"])
	}
	if final["ENTRYPOINT"] != `["/ticker"]` {
		t.Errorf("ENTRYPOINT %s, want [\"/ticker\"]", final["ENTRYPOINT"])
	}
	uid, _, _ := strings.Cut(final["USER"], ":")
	forEachStack(t, func(t *testing.T, s *stack) {
		d := mustNamed[appsv1.Deployment](t, s, gatewayName)
		sc := d.Spec.Template.Spec.SecurityContext
		if sc == nil || sc.RunAsUser == nil || strconv.FormatInt(*sc.RunAsUser, 10) != uid {
			t.Errorf("the gateway pods run as %v, the image as USER %s", sc, final["USER"])
		}
		port := d.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort
		if final["EXPOSE"] != strconv.Itoa(int(port)) {
			t.Errorf("EXPOSE %s, the gateway's container port is %d", final["EXPOSE"], port)
		}
	})
}
