package kubernetes

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestServe: serve runs as several replicas that hold no state (no volume
// but the keyring's), take the database URL from a Secret, and are probed
// on the admin port: ready on /readyz, alive on /healthz.
func TestServe(t *testing.T) {
	m := load(t)
	if r := m.serve.Spec.Replicas; r == nil || *r < 2 {
		t.Errorf("replicas %v, want at least 2", r)
	}
	pod := m.serve.Spec.Template.Spec
	for _, v := range pod.Volumes {
		if v.Secret == nil && (v.EmptyDir == nil || v.EmptyDir.Medium != corev1.StorageMediumMemory) {
			t.Errorf("volume %s: serve holds no state, want only the keyring Secret and its in-memory copy", v.Name)
		}
	}
	c := container(t, pod, "serve")
	checkProbe(t, c, "readiness", c.ReadinessProbe, "/readyz")
	checkProbe(t, c, "liveness", c.LivenessProbe, "/healthz")
	for env, port := range map[string]string{"KYCMATCH_ADDR": "http", "KYCMATCH_ADMIN_ADDR": "admin"} {
		_, p, err := net.SplitHostPort(envValue(t, c, env))
		if want := containerPort(t, c, intstr.FromString(port)); err != nil || p != want {
			t.Errorf("%s port %q, want %s's %s", env, p, port, want)
		}
	}
	if a := m.serve.Spec.Template.Annotations; a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != containerPort(t, c, intstr.FromString("admin")) {
		t.Errorf("annotations %v: want Prometheus to scrape the admin port", a)
	}
	checkCommon(t, pod, c)
}

// TestIngest: ingest is a CronJob that never runs twice at once and sorts
// in an emptyDir given as --tmp-dir.
func TestIngest(t *testing.T) {
	m := load(t)
	if p := m.cron.Spec.ConcurrencyPolicy; p != "Forbid" {
		t.Errorf("concurrencyPolicy %q, want Forbid", p)
	}
	pod := m.cron.Spec.JobTemplate.Spec.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want Never", pod.RestartPolicy)
	}
	c := container(t, pod, "ingest")
	i := slices.Index(c.Args, "--tmp-dir")
	if i < 0 || i+1 == len(c.Args) {
		t.Fatalf("args %q: want --tmp-dir DIR", c.Args)
	}
	if v := volume(t, pod, mountOf(t, c, c.Args[i+1]).Name); v.EmptyDir == nil {
		t.Errorf("--tmp-dir %s: volume %s is not an emptyDir", c.Args[i+1], v.Name)
	}
	checkCommon(t, pod, c)
}

// checkCommon: the database URL comes from a Secret and appears nowhere
// in the manifest; the keyring file is on a read-only mount filled from a
// Secret, and every Secret is mounted read-only.
func checkCommon(t *testing.T, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	store := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "KYCMATCH_STORE" })
	if store < 0 || c.Env[store].ValueFrom == nil || c.Env[store].ValueFrom.SecretKeyRef == nil {
		t.Errorf("%s: want KYCMATCH_STORE from a Secret", c.Name)
	}
	// The image sets KYCMATCH_DATA for Badger; --data and --store together
	// are a usage error.
	if data := envValue(t, c, "KYCMATCH_DATA"); data != "" {
		t.Errorf("%s: KYCMATCH_DATA %q beside KYCMATCH_STORE, want it emptied", c.Name, data)
	}
	for _, e := range c.Env {
		if strings.Contains(e.Value, "postgres") {
			t.Errorf("%s holds a database URL: put it in the Secret", e.Name)
		}
	}
	keyring := envValue(t, c, "KYCMATCH_KEYRING")
	vm := mountOf(t, c, keyring)
	if v := volume(t, pod, vm.Name); v.Secret == nil && !filledFromSecret(pod, v.Name) {
		t.Errorf("KYCMATCH_KEYRING %s: volume %s is neither a Secret nor filled from one", keyring, v.Name)
	}
	if !vm.ReadOnly {
		t.Errorf("KYCMATCH_KEYRING %s: mounted writable", keyring)
	}
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		for _, vm := range c.VolumeMounts {
			if secret := volume(t, pod, vm.Name).Secret; secret != nil && !vm.ReadOnly {
				t.Errorf("%s: Secret %s mounted writable", c.Name, secret.SecretName)
			}
		}
	}
}

// filledFromSecret: an init container copies a Secret volume's files into
// the volume name.
func filledFromSecret(pod corev1.PodSpec, name string) bool {
	for _, c := range pod.InitContainers {
		var fromSecret, toVolume bool
		for _, vm := range c.VolumeMounts {
			for _, v := range pod.Volumes {
				fromSecret = fromSecret || v.Name == vm.Name && v.Secret != nil && vm.ReadOnly
			}
			toVolume = toVolume || vm.Name == name && !vm.ReadOnly
		}
		if fromSecret && toVolume {
			return true
		}
	}
	return false
}

func checkProbe(t *testing.T, c corev1.Container, kind string, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s probe: want an HTTP GET of %s", kind, path)
		return
	}
	if p.HTTPGet.Path != path || containerPort(t, c, p.HTTPGet.Port) != containerPort(t, c, intstr.FromString("admin")) {
		t.Errorf("%s probe: %s on port %s, want %s on the admin port", kind, p.HTTPGet.Path, &p.HTTPGet.Port, path)
	}
}

// TestServeSelectors: the Service, the PodDisruptionBudget and the
// NetworkPolicy select the serve pods and nothing else; the Service
// publishes only the public port.
func TestServeSelectors(t *testing.T) {
	m := load(t)
	serve := labels.Set(m.serve.Spec.Template.Labels)
	ingest := labels.Set(m.cron.Spec.JobTemplate.Spec.Template.Labels)
	c := container(t, m.serve.Spec.Template.Spec, "serve")
	svc := only[*corev1.Service](t, m.objs)
	if sel := labels.SelectorFromSet(svc.Spec.Selector); len(svc.Spec.Selector) == 0 || !sel.Matches(serve) || sel.Matches(ingest) {
		t.Errorf("Service selector %v: want the serve pods only", svc.Spec.Selector)
	}
	for _, p := range svc.Spec.Ports {
		if containerPort(t, c, p.TargetPort) != containerPort(t, c, intstr.FromString("http")) {
			t.Errorf("Service port %s: want only the public port", p.Name)
		}
	}
	pdb := only[*policyv1.PodDisruptionBudget](t, m.objs)
	if !selects(t, pdb.Spec.Selector, serve) || selects(t, pdb.Spec.Selector, ingest) {
		t.Errorf("PodDisruptionBudget: want the serve pods only")
	}
	if u := pdb.Spec.MaxUnavailable; u == nil || u.IntValue() < 1 || int32(u.IntValue()) >= *m.serve.Spec.Replicas {
		t.Errorf("PodDisruptionBudget maxUnavailable %v: want at least 1 and fewer than the replicas", u)
	}
	if m.serve.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		t.Errorf("strategy %q, want RollingUpdate", m.serve.Spec.Strategy.Type)
	}
}

// TestNetworkPolicy: on serve pods every ingress rule names its ports, and
// the admin port is open only to Prometheus pods of the monitoring
// namespace; ingest pods take no ingress at all.
func TestNetworkPolicy(t *testing.T) {
	m := load(t)
	serve := labels.Set(m.serve.Spec.Template.Labels)
	ingest := labels.Set(m.cron.Spec.JobTemplate.Spec.Template.Labels)
	c := container(t, m.serve.Spec.Template.Spec, "serve")
	admin := containerPort(t, c, intstr.FromString("admin"))
	var onServe, onIngest int
	for _, np := range all[*networkingv1.NetworkPolicy](m.objs) {
		if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) {
			continue
		}
		if selects(t, &np.Spec.PodSelector, ingest) {
			onIngest++
			if len(np.Spec.Ingress) > 0 {
				t.Errorf("NetworkPolicy %s lets traffic into ingest pods", np.Name)
			}
		}
		if !selects(t, &np.Spec.PodSelector, serve) {
			continue
		}
		onServe++
		for i, rule := range np.Spec.Ingress {
			if len(rule.Ports) == 0 {
				t.Errorf("NetworkPolicy %s rule %d opens every port", np.Name, i)
			}
			for _, p := range rule.Ports {
				if p.Port == nil || containerPort(t, c, *p.Port) == admin && !monitoringOnly(rule.From) {
					t.Errorf("NetworkPolicy %s rule %d opens the admin port beyond Prometheus in monitoring", np.Name, i)
				}
			}
		}
	}
	if onServe == 0 || onIngest == 0 {
		t.Errorf("NetworkPolicies: %d on serve pods, %d on ingest pods; want both", onServe, onIngest)
	}
}

// monitoringOnly: every peer names a namespace and a pod label together.
func monitoringOnly(from []networkingv1.NetworkPolicyPeer) bool {
	for _, p := range from {
		if p.IPBlock != nil || p.NamespaceSelector == nil || p.PodSelector == nil ||
			p.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "" || len(p.PodSelector.MatchLabels) == 0 {
			return false
		}
	}
	return len(from) > 0
}

func selects(t *testing.T, ls *metav1.LabelSelector, set labels.Set) bool {
	t.Helper()
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		t.Fatal(err)
	}
	return !sel.Empty() && sel.Matches(set)
}

func container(t *testing.T, pod corev1.PodSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range pod.Containers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %s", name)
	return corev1.Container{}
}

// containerPort resolves a port by name or number to the container's port
// number, as text; "" when the container has no such port.
func containerPort(t *testing.T, c corev1.Container, p intstr.IntOrString) string {
	t.Helper()
	for _, cp := range c.Ports {
		if p.Type == intstr.String && cp.Name == p.StrVal || p.Type == intstr.Int && cp.ContainerPort == p.IntVal {
			return strconv.Itoa(int(cp.ContainerPort))
		}
	}
	t.Errorf("%s: no port %s", c.Name, &p)
	return ""
}

func envValue(t *testing.T, c corev1.Container, name string) string {
	t.Helper()
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	t.Fatalf("%s: no %s", c.Name, name)
	return ""
}

// mountOf is the container's mount of the directory holding path.
func mountOf(t *testing.T, c corev1.Container, path string) corev1.VolumeMount {
	t.Helper()
	for _, vm := range c.VolumeMounts {
		if vm.MountPath == path || strings.HasPrefix(path, strings.TrimSuffix(vm.MountPath, "/")+"/") {
			return vm
		}
	}
	t.Fatalf("%s: nothing mounted at %s", c.Name, path)
	return corev1.VolumeMount{}
}

func volume(t *testing.T, pod corev1.PodSpec, name string) corev1.Volume {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %s", name)
	return corev1.Volume{}
}
