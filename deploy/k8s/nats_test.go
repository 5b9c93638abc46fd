package k8s

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

const (
	natsName       = "nats" // StatefulSet and container
	natsConfigFile = "nats.conf"
	natsClientPort = 4222
)

// natsConfig returns the nats.conf of the ConfigMap the NATS StatefulSet
// mounts, parsed.
func natsConfig(t *testing.T, s *stack, ss *appsv1.StatefulSet) natsConf {
	t.Helper()
	for _, v := range ss.Spec.Template.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		cm := named[corev1.ConfigMap](s, v.ConfigMap.Name)
		if cm == nil {
			t.Fatalf("volume %s names ConfigMap %q, which is not in the manifests", v.Name, v.ConfigMap.Name)
		}
		text, ok := cm.Data[natsConfigFile]
		if !ok {
			continue
		}
		conf, err := parseNATSConf(text)
		if err != nil {
			t.Fatalf("ConfigMap %s: %s: %v", cm.Name, natsConfigFile, err)
		}
		return conf
	}
	t.Fatalf("StatefulSet %s mounts no ConfigMap with %s", ss.Name, natsConfigFile)
	return natsConf{}
}

// natsPort is the container port of the NATS container named name, and the
// same port as nats.conf sets it under key.
func natsPort(t *testing.T, ss *appsv1.StatefulSet, conf natsConf, name, key string) {
	t.Helper()
	var c *corev1.Container
	for i := range ss.Spec.Template.Spec.Containers {
		if ss.Spec.Template.Spec.Containers[i].Name == natsName {
			c = &ss.Spec.Template.Spec.Containers[i]
		}
	}
	if c == nil {
		t.Fatalf("StatefulSet %s has no container %s", ss.Name, natsName)
	}
	i := slices.IndexFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == name })
	if i < 0 {
		t.Errorf("NATS container has no port named %s", name)
		return
	}
	if got := conf.values[key]; got != strconv.Itoa(int(c.Ports[i].ContainerPort)) {
		t.Errorf("nats.conf %s is %q, container port %s is %d", key, got, name, c.Ports[i].ContainerPort)
	}
}

func TestNATSConfigMatchesItsStatefulSet(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		ss := mustNamed[appsv1.StatefulSet](t, s, natsName)
		conf := natsConfig(t, s, ss)
		natsPort(t, ss, conf, "client", "port")
		natsPort(t, ss, conf, "cluster", "cluster.port")
		natsPort(t, ss, conf, "monitor", "http_port")

		// server_name comes from the pod name.
		name := strings.TrimPrefix(conf.values["server_name"], "$")
		c := ss.Spec.Template.Spec.Containers[0]
		i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
		if i < 0 || c.Env[i].ValueFrom == nil || c.Env[i].ValueFrom.FieldRef == nil || c.Env[i].ValueFrom.FieldRef.FieldPath != "metadata.name" {
			t.Errorf("server_name %q is not a variable holding the pod name", conf.values["server_name"])
		}

		// JetStream stores on the pod's own volume.
		if len(ss.Spec.VolumeClaimTemplates) != 1 {
			t.Fatalf("%d volumeClaimTemplates, want one for JetStream", len(ss.Spec.VolumeClaimTemplates))
		}
		claim := ss.Spec.VolumeClaimTemplates[0].Name
		mounted := slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
			return m.Name == claim && m.MountPath == conf.values["jetstream.store_dir"]
		})
		if !mounted {
			t.Errorf("jetstream.store_dir %q is not where the claim %s is mounted", conf.values["jetstream.store_dir"], claim)
		}

		// The grace period covers lame duck mode.
		var ldm time.Duration
		for _, key := range []string{"lame_duck_duration", "lame_duck_grace_period"} {
			d, err := time.ParseDuration(conf.values[key])
			if err != nil {
				t.Fatalf("nats.conf %s: %v", key, err)
			}
			ldm += d
		}
		if g := ss.Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= ldm {
			t.Errorf("terminationGracePeriodSeconds %v, want more than the lame duck window %v", g, ldm)
		}
	})
}

func TestNATSRoutesNameEveryPodThroughTheHeadlessService(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		ss := mustNamed[appsv1.StatefulSet](t, s, natsName)
		svc := named[corev1.Service](s, ss.Spec.ServiceName)
		if svc == nil {
			t.Fatalf("serviceName %q names no Service", ss.Spec.ServiceName)
		}
		if svc.Spec.ClusterIP != corev1.ClusterIPNone || !svc.Spec.PublishNotReadyAddresses {
			t.Errorf("Service %s: clusterIP %q, publishNotReadyAddresses %v; want a headless Service that lists unready pods (servers become ready only once routed)",
				svc.Name, svc.Spec.ClusterIP, svc.Spec.PublishNotReadyAddresses)
		}
		if ok, _ := selects(labelSelector(svc.Spec.Selector), ss.Spec.Template.Labels); !ok {
			t.Errorf("Service %s does not select the NATS pods", svc.Name)
		}
		conf := natsConfig(t, s, ss)
		var want []string
		for i := range replicas(ss.Spec.Replicas) {
			want = append(want, fmt.Sprintf("nats://%s-%d.%s:%s", ss.Name, i, svc.Name, conf.values["cluster.port"]))
		}
		if got := conf.lists["cluster.routes"]; !slices.Equal(got, want) {
			t.Errorf("cluster routes %v, want %v (one per pod of %d replicas)", got, want, replicas(ss.Spec.Replicas))
		}
	})
}

func TestGatewayNATSURLNamesTheNATSService(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		raw := gatewaySetting(t, s, natsURLEnv)
		if raw == "" {
			t.Fatalf("%s is empty: the gateway would run an embedded NATS server of its own", natsURLEnv)
		}
		for _, u := range strings.Split(raw, ",") {
			checkNATSURL(t, s, u)
		}
	})
}

// checkNATSURL checks that a NATS URL names a Service of the stack, on a
// port that leads to the NATS servers' client port.
func checkNATSURL(t *testing.T, s *stack, raw string) {
	t.Helper()
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "nats" {
		t.Errorf("NATS URL %q: want nats://service:port (%v)", raw, err)
		return
	}
	host, _, _ := strings.Cut(u.Hostname(), ".") // service, or service.namespace.svc...
	port := u.Port()
	if port == "" {
		port = strconv.Itoa(natsClientPort)
	}
	svc := named[corev1.Service](s, host)
	if svc == nil {
		t.Errorf("NATS URL %q: no Service %q", raw, host)
		return
	}
	i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return strconv.Itoa(int(p.Port)) == port })
	if i < 0 {
		t.Errorf("NATS URL %q: Service %s has no port %s", raw, svc.Name, port)
		return
	}
	ss := mustNamed[appsv1.StatefulSet](t, s, natsName)
	if ok, _ := selects(labelSelector(svc.Spec.Selector), ss.Spec.Template.Labels); !ok {
		t.Errorf("NATS URL %q: Service %s does not select the NATS pods", raw, svc.Name)
		return
	}
	p, err := containerPort(&ss.Spec.Template.Spec, svc.Spec.Ports[i].TargetPort)
	if err != nil || p.ContainerPort != natsClientPort {
		t.Errorf("NATS URL %q: Service %s port %s leads to %v, not the NATS client port %d (%v)", raw, svc.Name, port, p.ContainerPort, natsClientPort, err)
	}
}

func TestSnapshotReplicasFitTheNATSCluster(t *testing.T) {
	forEachStack(t, func(t *testing.T, s *stack) {
		v := gatewaySetting(t, s, snapshotReplicas)
		n := atoi(t, snapshotReplicas, v)
		servers := replicas(mustNamed[appsv1.StatefulSet](t, s, natsName).Spec.Replicas)
		if n < 1 || int32(n) > servers {
			t.Errorf("%s=%d, but NATS runs %d servers: JetStream cannot place the replicas", snapshotReplicas, n, servers)
		}
		// A feed that starts first creates the stream: with the same replicas.
		for _, j := range all[batchv1.Job](s) {
			for _, c := range j.Spec.Template.Spec.Containers {
				if got := flagValue(c.Args, "snapshot-replicas"); got != v {
					t.Errorf("Job %s creates the snapshot stream with --snapshot-replicas=%q, the gateways with %s", j.Name, got, v)
				}
			}
		}
	})
}
