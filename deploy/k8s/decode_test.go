package k8s

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestEveryDirectoryBuildsAndDecodesStrictly(t *testing.T) {
	for _, dir := range []string{"base", "overlays/dev", "overlays/prod", loadtestDir} {
		t.Run(dir, func(t *testing.T) {
			objects, err := build(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(objects) == 0 {
				t.Fatal("built no object")
			}
		})
	}
}

func TestDecodeRejectsWhatTheAPIServerWouldNot(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{
			name: "misspelt field",
			doc:  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 2}\n",
			want: `unknown field "spec.replica"`,
		},
		{
			name: "field in the wrong case",
			doc:  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {Replicas: 2}\n",
			want: `unknown field "spec.Replicas"`,
		},
		{
			name: "field of another kind",
			doc:  "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {serviceName: y}\n",
			want: `unknown field "spec.serviceName"`,
		},
		{
			name: "unknown kind",
			doc:  "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\n",
			want: "unknown kind",
		},
		{
			name: "kind at an old apiVersion",
			doc:  "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n",
			want: "unknown kind",
		},
		{
			name: "wrong type",
			doc:  "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec: {replicas: three}\n",
			want: "cannot unmarshal",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := yaml.YAMLToJSON([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			var head struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal(data, &head); err != nil {
				t.Fatal(err)
			}
			_, err = decode(head.APIVersion, head.Kind, data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decode: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
