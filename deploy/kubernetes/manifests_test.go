// Package kubernetes holds no code: its tests decode every manifest in this
// directory strictly into the Kubernetes API types, so that a misspelt
// field fails here rather than being dropped by the API server, and check
// the properties the README promises of them. It is a module of its own so
// that k8s.io/api stays out of kycmatch's build.
package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// kinds maps every apiVersion and kind the manifests may use to a fresh
// object of its type; anything else is an error.
var kinds = map[string]func() any{
	"v1/ServiceAccount":                  func() any { return new(corev1.ServiceAccount) },
	"v1/Service":                         func() any { return new(corev1.Service) },
	"apps/v1/Deployment":                 func() any { return new(appsv1.Deployment) },
	"batch/v1/CronJob":                   func() any { return new(batchv1.CronJob) },
	"policy/v1/PodDisruptionBudget":      func() any { return new(policyv1.PodDisruptionBudget) },
	"networking.k8s.io/v1/NetworkPolicy": func() any { return new(networkingv1.NetworkPolicy) },
}

// docSeparator splits a multi-document YAML file.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// decode decodes every document of one manifest file strictly: an unknown
// or duplicated field, or an unknown kind, is an error.
func decode(data []byte) ([]any, error) {
	var objs []any
	for i, doc := range docSeparator.Split(string(data), -1) {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if tm.APIVersion == "" && tm.Kind == "" && strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		newObj, ok := kinds[tm.APIVersion+"/"+tm.Kind]
		if !ok {
			return nil, fmt.Errorf("document %d: unknown kind %s %s", i+1, tm.APIVersion, tm.Kind)
		}
		obj := newObj()
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i+1, tm.Kind, err)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for line := range strings.Lines(doc) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// manifests is every object of every *.yaml file here.
type manifests struct {
	objs  []any
	serve *appsv1.Deployment
	cron  *batchv1.CronJob
}

func load(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var m manifests
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		m.objs = append(m.objs, objs...)
	}
	m.serve = only[*appsv1.Deployment](t, m.objs)
	m.cron = only[*batchv1.CronJob](t, m.objs)
	return m
}

// only is the one object of type T.
func only[T any](t *testing.T, objs []any) T {
	t.Helper()
	all := all[T](objs)
	if len(all) != 1 {
		var zero T
		t.Fatalf("want one %T, have %d", zero, len(all))
	}
	return all[0]
}

func all[T any](objs []any) []T {
	var out []T
	for _, o := range objs {
		if o, ok := o.(T); ok {
			out = append(out, o)
		}
	}
	return out
}

// TestStrictDecoding: a misspelt field or kind in any manifest fails the
// decoding, which is what makes the other tests mean something.
func TestStrictDecoding(t *testing.T) {
	tests := []struct {
		file, old, new string
	}{
		{"serve-deployment.yaml", "readinessProbe:", "readinesProbe:"},
		{"serve-deployment.yaml", "kind: Deployment", "kind: Deploymnet"},
		{"serve-deployment.yaml", "  replicas: 3", "  replicas: 3\n  replicas: 2"},
		{"ingest-cronjob.yaml", "concurrencyPolicy:", "concurencyPolicy:"},
		{"networkpolicy.yaml", "namespaceSelector:", "namespaceSelectors:"},
		{"serve-pdb.yaml", "maxUnavailable: 1", "maxUnavailable: [1]"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.new, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decode(data); err != nil {
				t.Fatalf("unchanged: %v", err)
			}
			if !bytes.Contains(data, []byte(tt.old)) {
				t.Fatalf("%q is not in %s", tt.old, tt.file)
			}
			if _, err := decode(bytes.Replace(data, []byte(tt.old), []byte(tt.new), 1)); err == nil {
				t.Fatalf("%q instead of %q decodes", tt.new, tt.old)
			}
		})
	}
}

// TestPodSecurity: every pod kycmatch runs, and every container in it,
// runs as a non-root user without privileges, capabilities or a writable
// root file system, under the runtime's default seccomp profile, with
// resources and no Kubernetes API token.
func TestPodSecurity(t *testing.T) {
	m := load(t)
	pods := map[string]corev1.PodSpec{
		"serve":  m.serve.Spec.Template.Spec,
		"ingest": m.cron.Spec.JobTemplate.Spec.Template.Spec,
	}
	for name, pod := range pods {
		t.Run(name, func(t *testing.T) {
			for _, err := range podErrors(pod) {
				t.Error(err)
			}
		})
	}
}

func podErrors(pod corev1.PodSpec) []string {
	var errs []string
	sc := pod.SecurityContext
	if sc == nil || !isTrue(sc.RunAsNonRoot) || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		errs = append(errs, "pod: want runAsNonRoot and a non-zero runAsUser")
	}
	if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		errs = append(errs, "pod: want seccompProfile RuntimeDefault")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		errs = append(errs, "pod: want automountServiceAccountToken false")
	}
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		errs = append(errs, "pod: shares a host namespace")
	}
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		for _, e := range containerErrors(c) {
			errs = append(errs, c.Name+": "+e)
		}
	}
	for _, v := range pod.Volumes {
		if v.Secret == nil && v.EmptyDir == nil && v.PersistentVolumeClaim == nil {
			errs = append(errs, "volume "+v.Name+": want a Secret, an emptyDir or a claim")
		}
		if v.Secret != nil && (v.Secret.DefaultMode == nil || *v.Secret.DefaultMode&0o007 != 0) {
			errs = append(errs, "volume "+v.Name+": want a defaultMode without access for others")
		}
	}
	return errs
}

func containerErrors(c corev1.Container) []string {
	var errs []string
	sc := c.SecurityContext
	if sc == nil || !isTrue(sc.ReadOnlyRootFilesystem) {
		errs = append(errs, "want readOnlyRootFilesystem")
	}
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		errs = append(errs, "want allowPrivilegeEscalation false")
	}
	if sc == nil || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
		errs = append(errs, "want capabilities: drop ALL, add none")
	}
	if sc != nil && (isTrue(sc.Privileged) || (sc.RunAsUser != nil && *sc.RunAsUser == 0) || (sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot)) {
		errs = append(errs, "runs privileged or as root")
	}
	r := c.Resources
	if r.Requests.Cpu().IsZero() || r.Requests.Memory().IsZero() || r.Limits.Memory().IsZero() {
		errs = append(errs, "want cpu and memory requests and a memory limit")
	}
	if strings.HasSuffix(c.Image, ":latest") || !strings.Contains(c.Image, ":") {
		errs = append(errs, "want an image with a version tag")
	}
	return errs
}

func isTrue(b *bool) bool { return b != nil && *b }
