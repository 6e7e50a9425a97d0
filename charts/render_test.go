package charts_test

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var components = []string{"backend", "frontend"}

func TestDefaultsRenderTheAppAndNothingElse(t *testing.T) {
	m := render(t, nil)
	got := m.names()
	want := []string{
		"ConfigMap/taskmaster-backend", "ConfigMap/taskmaster-frontend",
		"Deployment/taskmaster-backend", "Deployment/taskmaster-frontend",
		"Pod/taskmaster-test-backend-health",
		"Service/taskmaster-backend", "Service/taskmaster-frontend",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("rendered %v\nwant      %v", got, want)
	}
	for _, o := range m.Objects {
		// The namespace is the release's (--namespace), never written in.
		if strings.Contains(o.YAML, "namespace:") {
			t.Errorf("%s/%s names a namespace:\n%s", o.Kind, o.Name, o.YAML)
		}
	}
}

func TestEveryObjectCarriesTheRecommendedLabels(t *testing.T) {
	for name, v := range valueSets(t) {
		m := render(t, v)
		for _, o := range m.Objects {
			meta := o.Obj.(metav1.Object)
			wantComponent := componentOf(o)
			want := map[string]string{
				"app.kubernetes.io/name":       "taskmaster",
				"app.kubernetes.io/instance":   releaseName,
				"app.kubernetes.io/version":    "1.0.0",
				"app.kubernetes.io/managed-by": "Helm",
				"app.kubernetes.io/component":  wantComponent,
			}
			for k, val := range want {
				if got := meta.GetLabels()[k]; got != val {
					t.Errorf("%s: %s/%s label %s = %q, want %q", name, o.Kind, o.Name, k, got, val)
				}
			}
		}
	}
}

// componentOf says which component an object belongs to, from its name.
func componentOf(o object) string {
	switch {
	case strings.Contains(o.Name, "-test-"):
		return "test"
	case strings.HasSuffix(o.Name, "-frontend"):
		return "frontend"
	default:
		return "backend" // the backend's objects and the Secret it reads
	}
}

func TestSelectorsPickOnlyTheirComponentAndNeverChange(t *testing.T) {
	m := render(t, nil)
	selectors := map[string]map[string]string{}
	for _, c := range components {
		d := m.deployment(t, c)
		want := map[string]string{
			"app.kubernetes.io/name":      "taskmaster",
			"app.kubernetes.io/instance":  releaseName,
			"app.kubernetes.io/component": c,
		}
		if !reflect.DeepEqual(d.Spec.Selector.MatchLabels, want) || len(d.Spec.Selector.MatchExpressions) != 0 {
			t.Errorf("%s selector = %v, want exactly %v", c, d.Spec.Selector, want)
		}
		for k, v := range want {
			if d.Spec.Template.Labels[k] != v {
				t.Errorf("%s pod template label %s = %q, want %q", c, k, d.Spec.Template.Labels[k], v)
			}
		}
		if svc := m.service(t, c); !reflect.DeepEqual(svc.Spec.Selector, want) {
			t.Errorf("%s service selector = %v, want %v", c, svc.Spec.Selector, want)
		}
		selectors[c] = d.Spec.Selector.MatchLabels
	}

	// A new chart version, app version and image tag: the selectors, which a
	// Deployment can never change, stay the same.
	c := loadChart(t)
	c.Metadata.Version, c.Metadata.AppVersion = "9.9.9", "2.0.0"
	next, err := renderChart(c, vals("backend.image.tag", "2.0.1", "frontend.image.tag", "2.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, comp := range components {
		d := next.deployment(t, comp)
		if !reflect.DeepEqual(d.Spec.Selector.MatchLabels, selectors[comp]) {
			t.Errorf("%s selector changed with the version: %v, was %v", comp, d.Spec.Selector.MatchLabels, selectors[comp])
		}
		if d.Labels["app.kubernetes.io/version"] != "2.0.0" {
			t.Errorf("%s version label = %q, want the new appVersion 2.0.0", comp, d.Labels["app.kubernetes.io/version"])
		}
	}
}

func TestServicesTypesAndPorts(t *testing.T) {
	m := render(t, nil)
	for _, tc := range []struct {
		component string
		typ       corev1.ServiceType
		port      int32
	}{
		{"backend", corev1.ServiceTypeClusterIP, 8000},
		{"frontend", corev1.ServiceTypeLoadBalancer, 3000},
	} {
		svc := m.service(t, tc.component)
		if svc.Spec.Type != tc.typ {
			t.Errorf("%s service type = %s, want %s", tc.component, svc.Spec.Type, tc.typ)
		}
		if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != tc.port || svc.Spec.Ports[0].TargetPort != intstr.FromString("http") {
			t.Errorf("%s service ports = %+v, want %d -> http", tc.component, svc.Spec.Ports, tc.port)
		}
		c := m.deployment(t, tc.component).Spec.Template.Spec.Containers[0]
		if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != tc.port {
			t.Errorf("%s container ports = %+v, want http on %d", tc.component, c.Ports, tc.port)
		}
	}

	m = render(t, vals("backend.service.type", "NodePort", "backend.service.port", 9000, "frontend.service.type", "ClusterIP", "frontend.service.port", 8080))
	if svc := m.service(t, "backend"); svc.Spec.Type != corev1.ServiceTypeNodePort || svc.Spec.Ports[0].Port != 9000 {
		t.Errorf("backend service = %s:%d, want NodePort:9000", svc.Spec.Type, svc.Spec.Ports[0].Port)
	}
	if svc := m.service(t, "frontend"); svc.Spec.Type != corev1.ServiceTypeClusterIP || svc.Spec.Ports[0].Port != 8080 {
		t.Errorf("frontend service = %s:%d, want ClusterIP:8080", svc.Spec.Type, svc.Spec.Ports[0].Port)
	}
	// The container keeps its port; the frontend follows the backend's new service port.
	if got := m.configMap(t, "frontend").Data["API_URL"]; got != "http://taskmaster-backend:9000" {
		t.Errorf("API_URL = %q, want http://taskmaster-backend:9000", got)
	}
}

func TestProbes(t *testing.T) {
	m := render(t, nil)
	for _, tc := range []struct{ component, path string }{{"backend", "/health"}, {"frontend", "/"}} {
		c := m.deployment(t, tc.component).Spec.Template.Spec.Containers[0]
		probes := map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe}
		for kind, p := range probes {
			if p == nil || p.HTTPGet == nil {
				t.Fatalf("%s has no HTTP %s probe", tc.component, kind)
			}
			if p.HTTPGet.Path != tc.path || p.HTTPGet.Port != intstr.FromString("http") {
				t.Errorf("%s %s probe = GET %s on %v, want GET %s on http", tc.component, kind, p.HTTPGet.Path, p.HTTPGet.Port.String(), tc.path)
			}
		}
		l, r, s := c.LivenessProbe, c.ReadinessProbe, c.StartupProbe
		if l.PeriodSeconds == r.PeriodSeconds && l.FailureThreshold == r.FailureThreshold && l.TimeoutSeconds == r.TimeoutSeconds {
			t.Errorf("%s liveness and readiness have the same settings (%+v)", tc.component, l.ProbeHandler)
		}
		// Liveness is the more patient of the two: a busy pod leaves the
		// Service before it is restarted.
		if l.PeriodSeconds*l.FailureThreshold <= r.PeriodSeconds*r.FailureThreshold {
			t.Errorf("%s liveness gives up after %ds, readiness after %ds; want liveness later", tc.component, l.PeriodSeconds*l.FailureThreshold, r.PeriodSeconds*r.FailureThreshold)
		}
		if budget := s.PeriodSeconds * s.FailureThreshold; budget < 60 {
			t.Errorf("%s startup probe allows %ds to start, want at least 60", tc.component, budget)
		}
	}
}

func TestReplicasAndRollingStrategy(t *testing.T) {
	m := render(t, nil)
	for _, c := range components {
		d := m.deployment(t, c)
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
			t.Errorf("%s replicas = %v, want 1", c, d.Spec.Replicas)
		}
		s := d.Spec.Strategy
		if s.Type != appsv1.RollingUpdateDeploymentStrategyType || s.RollingUpdate == nil ||
			*s.RollingUpdate.MaxSurge != intstr.FromInt32(1) || *s.RollingUpdate.MaxUnavailable != intstr.FromInt32(0) {
			t.Errorf("%s strategy = %+v, want RollingUpdate maxSurge 1 maxUnavailable 0", c, s)
		}
	}
	m = render(t, vals("backend.replicaCount", 3, "frontend.replicaCount", 2))
	if r := *m.deployment(t, "backend").Spec.Replicas; r != 3 {
		t.Errorf("backend replicas = %d, want 3", r)
	}
	if r := *m.deployment(t, "frontend").Spec.Replicas; r != 2 {
		t.Errorf("frontend replicas = %d, want 2", r)
	}
}

func TestResources(t *testing.T) {
	m := render(t, nil)
	want := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
	}
	for _, c := range components {
		got := m.deployment(t, c).Spec.Template.Spec.Containers[0].Resources
		for _, list := range []struct {
			name      string
			got, want corev1.ResourceList
		}{{"requests", got.Requests, want.Requests}, {"limits", got.Limits, want.Limits}} {
			if len(list.got) != len(list.want) {
				t.Errorf("%s %s = %v, want %v", c, list.name, list.got, list.want)
			}
			for k, q := range list.want {
				if g := list.got[k]; g.Cmp(q) != 0 {
					t.Errorf("%s %s %s = %s, want %s", c, list.name, k, g.String(), q.String())
				}
			}
		}
	}
	m = render(t, vals("backend.resources.limits.memory", "1Gi"))
	if g := m.deployment(t, "backend").Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceMemory]; g.Cmp(resource.MustParse("1Gi")) != 0 {
		t.Errorf("backend memory limit = %s, want the override 1Gi", g.String())
	}
}

func TestImagesDefaultToAppVersion(t *testing.T) {
	m := render(t, nil)
	for _, c := range components {
		ctr := m.deployment(t, c).Spec.Template.Spec.Containers[0]
		if want := "taskmaster-" + c + ":1.0.0"; ctr.Image != want || ctr.ImagePullPolicy != corev1.PullIfNotPresent {
			t.Errorf("%s image = %s (%s), want %s (IfNotPresent)", c, ctr.Image, ctr.ImagePullPolicy, want)
		}
	}
	m = render(t, vals("backend.image.repository", "registry.invalid/tm-api", "backend.image.tag", "1.2.3", "backend.image.pullPolicy", "Never"))
	if ctr := m.deployment(t, "backend").Spec.Template.Spec.Containers[0]; ctr.Image != "registry.invalid/tm-api:1.2.3" || ctr.ImagePullPolicy != corev1.PullNever {
		t.Errorf("backend image = %s (%s), want registry.invalid/tm-api:1.2.3 (Never)", ctr.Image, ctr.ImagePullPolicy)
	}
	// The test hook runs the backend's image, so it needs no other pull.
	if pod := m.testPod(t); pod.Spec.Containers[0].Image != "registry.invalid/tm-api:1.2.3" || pod.Spec.Containers[0].ImagePullPolicy != corev1.PullNever {
		t.Errorf("test pod image = %s (%s), want the backend's", pod.Spec.Containers[0].Image, pod.Spec.Containers[0].ImagePullPolicy)
	}
}

func TestSecurityContexts(t *testing.T) {
	for name, v := range valueSets(t) {
		m := render(t, v)
		for id, tpl := range m.podSpecs() {
			spec := tpl.Spec
			if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
				t.Errorf("%s %s: automountServiceAccountToken is not false", name, id)
			}
			psc := spec.SecurityContext
			if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser < 1 ||
				psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("%s %s: pod securityContext = %+v, want runAsNonRoot, a numeric non-root runAsUser, RuntimeDefault seccomp", name, id, psc)
			}
			for _, c := range spec.Containers {
				sc := c.SecurityContext
				if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
					sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
					sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 ||
					sc.Privileged != nil && *sc.Privileged {
					t.Errorf("%s %s container %s: securityContext = %+v, want no privilege escalation, read-only root, all capabilities dropped", name, id, c.Name, sc)
				}
			}
		}
	}

	m := render(t, vals("backend.runAsUser", 4242))
	if u := *m.deployment(t, "backend").Spec.Template.Spec.SecurityContext.RunAsUser; u != 4242 {
		t.Errorf("backend runAsUser = %d, want 4242", u)
	}
}

func TestWritableEmptyDirsWhereTheAppsWrite(t *testing.T) {
	m := render(t, nil)
	for c, want := range map[string][]string{"backend": {"/tmp"}, "frontend": {"/tmp", "/app/.next/cache"}} {
		spec := m.deployment(t, c).Spec.Template.Spec
		emptyDirs := map[string]bool{}
		for _, v := range spec.Volumes {
			if v.EmptyDir != nil {
				emptyDirs[v.Name] = true
			}
		}
		var got []string
		for _, vm := range spec.Containers[0].VolumeMounts {
			if !emptyDirs[vm.Name] || vm.ReadOnly {
				t.Errorf("%s mounts %s from %s, want a writable emptyDir", c, vm.MountPath, vm.Name)
			}
			got = append(got, vm.MountPath)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s writable mounts = %v, want %v", c, got, want)
		}
	}
}

func TestEnvComesFromTheConfigMapAndTheSecret(t *testing.T) {
	m := render(t, nil)

	backend := m.deployment(t, "backend").Spec.Template.Spec.Containers[0]
	if len(backend.EnvFrom) != 1 || backend.EnvFrom[0].ConfigMapRef == nil || backend.EnvFrom[0].ConfigMapRef.Name != "taskmaster-backend" {
		t.Fatalf("backend envFrom = %+v, want the ConfigMap taskmaster-backend", backend.EnvFrom)
	}
	if got := m.configMap(t, "backend").Data; !reflect.DeepEqual(got, map[string]string{"APP_ENV": "production", "PORT": "8000"}) {
		t.Errorf("backend ConfigMap = %v, want APP_ENV=production PORT=8000", got)
	}
	wantSecretEnv := map[string]string{
		"DATABASE_URL": "database-url", "OPENAI_API_KEY": "openai-api-key",
		"GEMINI_API_KEY": "gemini-api-key", "JWT_SECRET_KEY": "jwt-secret",
	}
	got := map[string]string{}
	for _, e := range backend.Env {
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("backend env %s is not from a Secret: %+v", e.Name, e)
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if ref.Name != "taskmaster-secret" {
			t.Errorf("env %s reads Secret %q, want taskmaster-secret", e.Name, ref.Name)
		}
		optional := ref.Optional != nil && *ref.Optional
		if optional != (e.Name == "GEMINI_API_KEY") {
			t.Errorf("env %s optional = %v; only GEMINI_API_KEY is optional", e.Name, optional)
		}
		got[e.Name] = ref.Key
	}
	if !reflect.DeepEqual(got, wantSecretEnv) {
		t.Errorf("backend secret env = %v, want %v", got, wantSecretEnv)
	}

	frontend := m.deployment(t, "frontend").Spec.Template.Spec.Containers[0]
	if len(frontend.Env) != 0 || len(frontend.EnvFrom) != 1 || frontend.EnvFrom[0].ConfigMapRef.Name != "taskmaster-frontend" {
		t.Errorf("frontend env = %+v envFrom = %+v, want only the ConfigMap taskmaster-frontend", frontend.Env, frontend.EnvFrom)
	}
	wantFrontend := map[string]string{"API_URL": "http://taskmaster-backend:8000", "NEXT_PUBLIC_API_URL": "/api", "PORT": "3000", "HOSTNAME": "0.0.0.0"}
	if got := m.configMap(t, "frontend").Data; !reflect.DeepEqual(got, wantFrontend) {
		t.Errorf("frontend ConfigMap = %v, want %v", got, wantFrontend)
	}

	m = render(t, vals("frontend.apiUrl", "http://api.invalid:8000", "frontend.config", map[string]any{"NEXT_PUBLIC_API_URL": "http://localhost:8000", "FEATURE_X": "on"},
		"backend.config", map[string]any{"APP_ENV": "staging", "LOG_LEVEL": "debug"}))
	if got := m.configMap(t, "frontend").Data; got["API_URL"] != "http://api.invalid:8000" || got["NEXT_PUBLIC_API_URL"] != "http://localhost:8000" || got["FEATURE_X"] != "on" {
		t.Errorf("frontend ConfigMap with overrides = %v", got)
	}
	if got := m.configMap(t, "backend").Data; !reflect.DeepEqual(got, map[string]string{"APP_ENV": "staging", "LOG_LEVEL": "debug", "PORT": "8000"}) {
		t.Errorf("backend ConfigMap with overrides = %v", got)
	}
}

// Secret values appear in the Secret the chart renders, and nowhere else:
// not in a ConfigMap, a pod spec, an annotation or the NOTES.
func TestNoSecretValueOutsideASecret(t *testing.T) {
	secretValues := map[string]string{
		"databaseUrl":  "postgresql://user:pass@db.invalid/marker-db",
		"openaiApiKey": "marker-openai-7c1e",
		"geminiApiKey": "marker-gemini-52aa",
		"jwtSecret":    "marker-jwt-9f03",
	}
	sv := map[string]any{}
	for k, v := range secretValues {
		sv[k] = v
	}
	for _, create := range []bool{true, false} {
		m := render(t, vals("secrets.create", create, "secrets.values", sv))
		secrets := m.ofKind("Secret")
		if create != (len(secrets) == 1) {
			t.Fatalf("create=%v rendered %d Secrets", create, len(secrets))
		}
		for _, o := range m.Objects {
			if o.Kind == "Secret" {
				continue
			}
			for _, v := range secretValues {
				if strings.Contains(o.YAML, v) || strings.Contains(o.YAML, base64.StdEncoding.EncodeToString([]byte(v))) {
					t.Errorf("create=%v: %s/%s holds a secret value", create, o.Kind, o.Name)
				}
			}
		}
		for _, v := range secretValues {
			if strings.Contains(m.Notes, v) {
				t.Errorf("create=%v: NOTES hold a secret value", create)
			}
		}
		if create {
			s := secrets[0].Obj.(*corev1.Secret)
			want := map[string]string{"database-url": secretValues["databaseUrl"], "openai-api-key": secretValues["openaiApiKey"], "gemini-api-key": secretValues["geminiApiKey"], "jwt-secret": secretValues["jwtSecret"]}
			got := map[string]string{}
			for k, v := range s.Data {
				got[k] = string(v)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Secret data = %v, want %v", got, want)
			}
		}
	}
}

func TestExistingSecretOrCreatedSecret(t *testing.T) {
	refs := func(m *manifest) []string {
		var names []string
		for _, e := range m.deployment(t, "backend").Spec.Template.Spec.Containers[0].Env {
			names = append(names, e.ValueFrom.SecretKeyRef.Name)
		}
		slices.Sort(names)
		return slices.Compact(names)
	}

	m := render(t, vals("secrets.existingSecret", "made-by-hand"))
	if len(m.ofKind("Secret")) != 0 || !slices.Equal(refs(m), []string{"made-by-hand"}) {
		t.Errorf("existingSecret: Secrets %v, env reads %v; want none rendered, env from made-by-hand", m.ofKind("Secret"), refs(m))
	}

	m = render(t, readValues(t, chartDir+"/ci/create-secret-values.yaml"))
	s := m.find(t, "Secret", "taskmaster-secret").(*corev1.Secret)
	if !slices.Equal(refs(m), []string{s.Name}) {
		t.Errorf("created Secret %s, env reads %v", s.Name, refs(m))
	}
	if s.Type != corev1.SecretTypeOpaque {
		t.Errorf("Secret type = %s, want Opaque", s.Type)
	}

	// The optional Gemini key is left out when empty; its env var is optional.
	m = render(t, vals("secrets.create", true, "secrets.values", map[string]any{"databaseUrl": "postgresql://user:pass@db.invalid/app", "openaiApiKey": "fake-openai", "jwtSecret": "fake-jwt"}))
	if _, ok := m.find(t, "Secret", "taskmaster-secret").(*corev1.Secret).Data["gemini-api-key"]; ok {
		t.Error("empty geminiApiKey rendered a gemini-api-key entry")
	}
}

func TestRequiredSecretValuesFailClearly(t *testing.T) {
	full := map[string]any{"databaseUrl": "postgresql://user:pass@db.invalid/app", "openaiApiKey": "fake-openai", "geminiApiKey": "fake-gemini", "jwtSecret": "fake-jwt"}
	for _, missing := range []string{"databaseUrl", "openaiApiKey", "jwtSecret"} {
		sv := map[string]any{}
		for k, v := range full {
			if k != missing {
				sv[k] = v
			}
		}
		_, err := renderChart(loadChart(t), vals("secrets.create", true, "secrets.values", sv))
		if err == nil || !strings.Contains(err.Error(), "secrets.values."+missing+" is required when secrets.create=true") {
			t.Errorf("create without %s: err = %v, want a required message naming it", missing, err)
		}
	}
	_, err := renderChart(loadChart(t), vals("secrets.existingSecret", ""))
	if err == nil || !strings.Contains(err.Error(), "secrets.existingSecret must name the Secret") {
		t.Errorf("no existingSecret and create=false: err = %v, want a required message", err)
	}
}

func TestConfigChecksumRollsOnlyTheChangedComponent(t *testing.T) {
	checksums := func(v map[string]any) map[string]string {
		m := render(t, v)
		out := map[string]string{}
		for _, c := range components {
			sum := m.deployment(t, c).Spec.Template.Annotations["checksum/config"]
			if len(sum) != 64 {
				t.Fatalf("%s checksum/config = %q, want a sha256", c, sum)
			}
			out[c] = sum
		}
		return out
	}
	base := checksums(nil)
	if again := checksums(nil); !reflect.DeepEqual(base, again) {
		t.Fatalf("checksums differ between two renders of the same values: %v, %v", base, again)
	}
	backendChanged := checksums(vals("backend.config.APP_ENV", "staging"))
	if backendChanged["backend"] == base["backend"] || backendChanged["frontend"] != base["frontend"] {
		t.Errorf("backend.config change: checksums %v -> %v; want only the backend's to change", base, backendChanged)
	}
	frontendChanged := checksums(vals("frontend.apiUrl", "http://api.invalid:8000"))
	if frontendChanged["frontend"] == base["frontend"] || frontendChanged["backend"] != base["backend"] {
		t.Errorf("frontend.apiUrl change: checksums %v -> %v; want only the frontend's to change", base, frontendChanged)
	}
	// Scaling is no reason to restart pods.
	if scaled := checksums(vals("backend.replicaCount", 2)); !reflect.DeepEqual(scaled, base) {
		t.Errorf("replicaCount change moved the checksums: %v -> %v", base, scaled)
	}
}

func TestNotesSayHowToReachTheApp(t *testing.T) {
	m := render(t, nil)
	for _, want := range []string{
		"Open http://localhost:3000",
		"namespace " + renderNS,
		"kubectl --namespace " + renderNS + " create secret generic taskmaster-secret",
		"--from-literal=database-url=", "--from-literal=openai-api-key=", "--from-literal=jwt-secret=",
		"helm test taskmaster --namespace " + renderNS,
	} {
		if !strings.Contains(m.Notes, want) {
			t.Errorf("NOTES lack %q:\n%s", want, m.Notes)
		}
	}
	if strings.Contains(m.Notes, "port-forward service/taskmaster-frontend") {
		t.Errorf("NOTES for a LoadBalancer offer a port-forward:\n%s", m.Notes)
	}

	m = render(t, readValues(t, chartDir+"/ci/clusterip-values.yaml"))
	if want := "kubectl --namespace " + renderNS + " port-forward service/taskmaster-frontend 3000:3000"; !strings.Contains(m.Notes, want) {
		t.Errorf("NOTES for ClusterIP lack %q:\n%s", want, m.Notes)
	}
	if strings.Contains(m.Notes, "Open http://localhost:3000\n") {
		t.Errorf("NOTES for ClusterIP promise localhost:3000 without a port-forward:\n%s", m.Notes)
	}

	m = render(t, readValues(t, chartDir+"/ci/create-secret-values.yaml"))
	if strings.Contains(m.Notes, "create secret") {
		t.Errorf("NOTES ask for a Secret the chart creates:\n%s", m.Notes)
	}
}

func TestSchemaRejectsBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		vals map[string]any
		want string // part of the error
	}{
		{"backend replicas 0", vals("backend.replicaCount", 0), "/backend/replicaCount"},
		{"backend replicas 4", vals("backend.replicaCount", 4), "/backend/replicaCount"},
		{"frontend replicas 0", vals("frontend.replicaCount", 0), "/frontend/replicaCount"},
		{"frontend replicas 4", vals("frontend.replicaCount", 4), "/frontend/replicaCount"},
		{"unknown top-level key", vals("replicaCount", 2), "replicaCount"},
		{"unknown nested key", vals("backend.imagee", map[string]any{"tag": "x"}), "imagee"},
		{"pull policy Always", vals("backend.image.pullPolicy", "Always"), "/backend/image/pullPolicy"},
		{"pull policy typo", vals("frontend.image.pullPolicy", "ifnotpresent"), "/frontend/image/pullPolicy"},
		{"service type ExternalName", vals("frontend.service.type", "ExternalName"), "/frontend/service/type"},
		{"tag latest", vals("backend.image.tag", "latest"), "/backend/image/tag"},
		{"PORT in config", vals("backend.config.PORT", "9000"), "/backend/config"},
		{"a secret in config", vals("backend.config.OPENAI_API_KEY", "fake"), "/backend/config"},
		{"root user", vals("frontend.runAsUser", 0), "/frontend/runAsUser"},
		{"unknown secret value", vals("secrets.values.password", "fake"), "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := renderChart(loadChart(t), tc.vals)
			if err == nil {
				t.Fatalf("values %v accepted", tc.vals)
			}
			if !strings.Contains(err.Error(), "values don't meet the specifications of the schema") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not blame the schema at %s: %v", tc.want, err)
			}
		})
	}
	// The edges of what is allowed pass.
	for _, v := range []map[string]any{
		vals("backend.replicaCount", 1, "frontend.replicaCount", 3),
		vals("backend.image.pullPolicy", "Never", "frontend.image.pullPolicy", "IfNotPresent"),
		vals("backend.service.type", "LoadBalancer", "frontend.service.type", "NodePort"),
	} {
		if _, err := renderChart(loadChart(t), v); err != nil {
			t.Errorf("values %v refused: %v", v, err)
		}
	}
}

func TestOptionalNetworkPolicyAndDisruptionBudgets(t *testing.T) {
	m := render(t, vals("backend.replicaCount", 2))
	if len(m.ofKind("NetworkPolicy"))+len(m.ofKind("PodDisruptionBudget")) != 0 {
		t.Fatalf("off by default, yet rendered %v", m.names())
	}

	m = render(t, vals("networkPolicy.enabled", true))
	np := m.find(t, "NetworkPolicy", "taskmaster-backend").(*networkingv1.NetworkPolicy)
	if np.Spec.PodSelector.MatchLabels["app.kubernetes.io/component"] != "backend" || !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) {
		t.Errorf("NetworkPolicy selects %v for %v, want the backend's pods, ingress", np.Spec.PodSelector.MatchLabels, np.Spec.PolicyTypes)
	}
	if len(np.Spec.Ingress) != 1 {
		t.Fatalf("NetworkPolicy ingress rules = %+v, want one", np.Spec.Ingress)
	}
	var from []string
	for _, peer := range np.Spec.Ingress[0].From {
		if peer.PodSelector == nil || peer.NamespaceSelector != nil || peer.IPBlock != nil || peer.PodSelector.MatchLabels["app.kubernetes.io/instance"] != releaseName {
			t.Errorf("NetworkPolicy admits %+v, want only this release's pods", peer)
			continue
		}
		from = append(from, peer.PodSelector.MatchLabels["app.kubernetes.io/component"])
	}
	if !slices.Equal(from, []string{"frontend", "test"}) {
		t.Errorf("NetworkPolicy admits %v, want the frontend and the test pod", from)
	}
	if p := np.Spec.Ingress[0].Ports; len(p) != 1 || *p[0].Port != intstr.FromString("http") {
		t.Errorf("NetworkPolicy ports = %+v, want http only", p)
	}

	// A budget only where more than one pod runs.
	m = render(t, vals("podDisruptionBudget.enabled", true, "backend.replicaCount", 2))
	pdbs := m.ofKind("PodDisruptionBudget")
	if len(pdbs) != 1 || pdbs[0].Name != "taskmaster-backend" {
		t.Fatalf("PodDisruptionBudgets = %v, want only taskmaster-backend", m.names())
	}
	pdb := pdbs[0].Obj.(*policyv1.PodDisruptionBudget)
	if *pdb.Spec.MinAvailable != intstr.FromInt32(1) || !reflect.DeepEqual(pdb.Spec.Selector.MatchLabels, m.deployment(t, "backend").Spec.Selector.MatchLabels) {
		t.Errorf("PodDisruptionBudget = %+v, want minAvailable 1 over the backend's pods", pdb.Spec)
	}
	m = render(t, readValues(t, chartDir+"/ci/ha-values.yaml"))
	if len(m.ofKind("PodDisruptionBudget")) != 2 || len(m.ofKind("NetworkPolicy")) != 1 {
		t.Errorf("ha-values rendered %v, want two budgets and a NetworkPolicy", m.names())
	}
}

func TestHelmTestHookChecksBackendHealth(t *testing.T) {
	m := render(t, vals("backend.service.port", 8081))
	pod := m.testPod(t)
	if pod.Annotations["helm.sh/hook"] != "test" {
		t.Errorf("hook annotation = %q, want test", pod.Annotations["helm.sh/hook"])
	}
	if got := pod.Annotations["helm.sh/hook-delete-policy"]; got != "before-hook-creation,hook-succeeded" {
		t.Errorf("hook delete policy = %q", got)
	}
	if pod.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy = %s, want Never", pod.Spec.RestartPolicy)
	}
	cmd := pod.Spec.Containers[0].Command
	if len(cmd) == 0 || cmd[0] != "python" || cmd[len(cmd)-1] != "http://taskmaster-backend:8081/health" {
		t.Errorf("test command = %q, want python asking http://taskmaster-backend:8081/health", cmd)
	}
	if pod.Labels["app.kubernetes.io/component"] != "test" {
		t.Errorf("test pod component = %q", pod.Labels["app.kubernetes.io/component"])
	}
}
