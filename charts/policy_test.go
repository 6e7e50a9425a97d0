package charts_test

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// Every object of every value set decodes strictly into its k8s.io/api
// type (renderChart does that decoding), and the kinds are the expected ones.
func TestEveryRenderedObjectDecodesStrictly(t *testing.T) {
	known := []string{"ConfigMap", "Deployment", "NetworkPolicy", "Pod", "PodDisruptionBudget", "Secret", "Service"}
	seen := map[string]bool{}
	for name, v := range valueSets(t) {
		m, err := renderChart(loadChart(t), v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, o := range m.Objects {
			if !slices.Contains(known, o.Kind) {
				t.Errorf("%s: unexpected kind %s (%s)", name, o.Kind, o.Source)
			}
			seen[o.Kind] = true
		}
	}
	// Between them, the value sets render every kind the chart has.
	for _, k := range known {
		if !seen[k] {
			t.Errorf("no value set renders a %s", k)
		}
	}
}

// The strict decoder is not lenient: a misspelt field, a duplicate key and a
// kind without a typed struct are errors.
func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	for name, doc := range map[string]string{
		"misspelt field":        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replica: 1\n",
		"field of another kind": "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  replicas: 1\n",
		"duplicate key":         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  A: \"1\"\n  A: \"2\"\n",
		"unknown kind":          "apiVersion: v1\nkind: Widget\nmetadata:\n  name: x\n",
	} {
		if _, err := decodeStrict(doc); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	if _, err := decodeStrict("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  A: \"1\"\n"); err != nil {
		t.Errorf("a valid ConfigMap: %v", err)
	}
}

func restrictedEvaluator(t *testing.T) policy.Evaluator {
	t.Helper()
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var restrictedLatest = psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}

// Every pod the chart can make, the helm test hook included, passes the Pod
// Security "restricted" profile, for the defaults and for every ci file.
func TestEveryPodPassesPodSecurityRestricted(t *testing.T) {
	e := restrictedEvaluator(t)
	for name, v := range valueSets(t) {
		m := render(t, v)
		pods := m.podSpecs()
		for _, want := range []string{"Deployment/taskmaster-backend", "Deployment/taskmaster-frontend", "Pod/taskmaster-test-backend-health"} {
			if pods[want] == nil {
				t.Fatalf("%s: no pod template %s among %v", name, want, m.names())
			}
		}
		for id, tpl := range pods {
			res := policy.AggregateCheckResults(e.EvaluatePod(restrictedLatest, &tpl.ObjectMeta, &tpl.Spec))
			if !res.Allowed {
				t.Errorf("%s: %s violates restricted: %s", name, id, strings.Join(res.ForbiddenReasons, "; "))
			}
		}
	}
}

// The evaluator does catch what the chart guards against: each weakening of
// the backend's pod is refused.
func TestPodSecurityEvaluatorCatchesWeakenedPods(t *testing.T) {
	e := restrictedEvaluator(t)
	for name, weaken := range map[string]func(*corev1.PodSpec){
		"no seccomp":           func(s *corev1.PodSpec) { s.SecurityContext.SeccompProfile = nil },
		"privilege escalation": func(s *corev1.PodSpec) { *s.Containers[0].SecurityContext.AllowPrivilegeEscalation = true },
		"capabilities kept":    func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.Capabilities.Drop = nil },
		"root user":            func(s *corev1.PodSpec) { *s.SecurityContext.RunAsUser = 0 },
		"may run as root": func(s *corev1.PodSpec) {
			s.SecurityContext.RunAsNonRoot, s.Containers[0].SecurityContext.RunAsNonRoot = nil, nil
		},
	} {
		tpl := render(t, nil).deployment(t, "backend").Spec.Template
		weaken(&tpl.Spec)
		if res := policy.AggregateCheckResults(e.EvaluatePod(restrictedLatest, &tpl.ObjectMeta, &tpl.Spec)); res.Allowed {
			t.Errorf("%s: allowed by the restricted profile", name)
		}
	}
}
