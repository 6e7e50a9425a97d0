package k8s

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// Obviously fake values; tests search for them wherever a value must not be.
const (
	fakeDatabaseURL = "postgresql://user:pass@db.invalid/app"
	fakeOpenAIKey   = "sk-test-openai-0000000000000000"
	fakeGeminiKey   = "test-gemini-0000000000000000"
	fakeJWTSecret   = "test-jwt-secret-0123456789abcdef0123456789abcdef"
)

func validSecretValues() SecretValues {
	return SecretValues{DatabaseURL: fakeDatabaseURL, OpenAIAPIKey: fakeOpenAIKey, GeminiAPIKey: fakeGeminiKey, JWTSecret: fakeJWTSecret}
}

// recordingClient is a Client over a fake clientset that records every
// request and fails the test on any write.
type recordingClient struct {
	*Client
	mu      sync.Mutex
	actions []string
}

func newRecordingClient(t *testing.T, objects ...runtime.Object) *recordingClient {
	cs := fake.NewClientset(objects...)
	rc := &recordingClient{Client: &Client{clientset: cs, info: ClusterInfo{Context: "kind-test", Server: "https://127.0.0.1:6443"}}}
	cs.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		rc.mu.Lock()
		rc.actions = append(rc.actions, a.GetVerb()+" "+a.GetResource().Resource)
		rc.mu.Unlock()
		switch a.GetVerb() {
		case "get", "list", "watch":
			return false, nil, nil
		}
		t.Errorf("a write was sent: %s %s", a.GetVerb(), a.GetResource().Resource)
		return true, nil, errors.New("writes are not allowed in this test")
	})
	return rc
}

func (rc *recordingClient) sent() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.actions...)
}

func localApproval(t *testing.T, c *Client) Approval {
	t.Helper()
	a, err := c.Guard().Approve("test", "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestApplySecretRejectsBadInputBeforeSendingAnything(t *testing.T) {
	with := func(change func(*SecretValues)) SecretValues {
		v := validSecretValues()
		change(&v)
		return v
	}
	tests := []struct {
		name string
		in   SecretValues
		want string // the whole error text
	}{
		{"no database URL", with(func(v *SecretValues) { v.DatabaseURL = "" }),
			"invalid secret: DATABASE_URL is required"},
		{"mysql URL", with(func(v *SecretValues) { v.DatabaseURL = "mysql://user:pass@db.invalid/app" }),
			"invalid secret: DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://"},
		{"http URL", with(func(v *SecretValues) { v.DatabaseURL = "https://db.invalid/app" }),
			"invalid secret: DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://"},
		{"no scheme", with(func(v *SecretValues) { v.DatabaseURL = "user:pass@db.invalid:5432/app" }),
			"invalid secret: DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://"},
		{"no host", with(func(v *SecretValues) { v.DatabaseURL = "postgres:///app?password=pass" }),
			"invalid secret: DATABASE_URL has no host: expected postgresql://user:password@host:5432/database"},
		{"bad port", with(func(v *SecretValues) { v.DatabaseURL = "postgresql://user:pass@db.invalid:port/app" }),
			"invalid secret: DATABASE_URL is not a valid URL: percent-encode special characters (@ : / ? #) in the user name and password"},
		{"space in URL", with(func(v *SecretValues) { v.DatabaseURL = "postgresql://user:pa ss@db.invalid/app" }),
			"invalid secret: DATABASE_URL contains a space or line break: paste it again without them"},
		{"line break after URL", with(func(v *SecretValues) { v.DatabaseURL = fakeDatabaseURL + "\n" }),
			"invalid secret: DATABASE_URL contains a space or line break: paste it again without them"},
		{"no OpenAI key", with(func(v *SecretValues) { v.OpenAIAPIKey = "" }),
			"invalid secret: OPENAI_API_KEY is required"},
		{"space in OpenAI key", with(func(v *SecretValues) { v.OpenAIAPIKey = "sk-test openai" }),
			"invalid secret: OPENAI_API_KEY contains a space or line break: paste the key again without them"},
		{"trailing newline in OpenAI key", with(func(v *SecretValues) { v.OpenAIAPIKey = fakeOpenAIKey + "\r\n" }),
			"invalid secret: OPENAI_API_KEY contains a space or line break: paste the key again without them"},
		{"tab in Gemini key", with(func(v *SecretValues) { v.GeminiAPIKey = "test-gemini\t0000" }),
			"invalid secret: GEMINI_API_KEY contains a space or line break: paste the key again without them"},
		{"no JWT secret", with(func(v *SecretValues) { v.JWTSecret = "" }),
			"invalid secret: JWT_SECRET_KEY is required"},
		{"short JWT secret", with(func(v *SecretValues) { v.JWTSecret = "test-jwt-secret-too-short" }),
			"invalid secret: JWT_SECRET_KEY must be at least 32 bytes long: generate one instead"},
		{"31-byte JWT secret", with(func(v *SecretValues) { v.JWTSecret = strings.Repeat("j", 31) }),
			"invalid secret: JWT_SECRET_KEY must be at least 32 bytes long: generate one instead"},
		{"JWT secret ending in a newline", with(func(v *SecretValues) { v.JWTSecret = fakeJWTSecret + "\n" }),
			"invalid secret: JWT_SECRET_KEY starts or ends with a space or line break: remove them"},
		{"everything empty", SecretValues{},
			"invalid secret: DATABASE_URL is required; OPENAI_API_KEY is required; JWT_SECRET_KEY is required"},
		{"several problems at once", SecretValues{DatabaseURL: "mysql://db.invalid/app", OpenAIAPIKey: "sk test", JWTSecret: "short-jwt-secret"},
			"invalid secret: DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://; OPENAI_API_KEY contains a space or line break: paste the key again without them; JWT_SECRET_KEY must be at least 32 bytes long: generate one instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecordingClient(t)
			_, err := rc.ApplySecret(t.Context(), localApproval(t, rc.Client), "taskmaster", tt.in)
			if err == nil {
				t.Fatal("ApplySecret accepted it")
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q\nwant    %q", err.Error(), tt.want)
			}
			var ve *SecretValidationError
			if !errors.As(err, &ve) {
				t.Errorf("error is a %T, want a *SecretValidationError", err)
			}
			for _, v := range []string{tt.in.DatabaseURL, tt.in.OpenAIAPIKey, tt.in.GeminiAPIKey, tt.in.JWTSecret} {
				if strings.TrimSpace(v) != "" && strings.Contains(err.Error(), strings.TrimSpace(v)) {
					t.Errorf("the error quotes a value: %q", err.Error())
				}
			}
			// Input that is wrong on its face is refused before even a read;
			// a missing required field needs one read, to see whether the
			// Secret already holds a value to keep. Writes fail the test in
			// the reactor.
			want := "[]"
			if strings.Contains(tt.want, "is required") {
				want = "[get secrets]"
			}
			if got := fmt.Sprint(rc.sent()); got != want {
				t.Errorf("requests sent: %s, want %s", got, want)
			}
		})
	}
}

func TestApplySecretUpdateNeedsRequiredKeysTheSecretLacks(t *testing.T) {
	// The secret has a database URL and a JWT secret but no OpenAI key.
	existing := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: SecretName, Namespace: "taskmaster"},
		Data:       map[string][]byte{SecretKeyDatabaseURL: []byte(fakeDatabaseURL), SecretKeyJWTSecret: []byte(fakeJWTSecret)},
	}
	rc := newRecordingClient(t, existing)
	_, err := rc.ApplySecret(t.Context(), localApproval(t, rc.Client), "taskmaster", SecretValues{GeminiAPIKey: fakeGeminiKey})
	if err == nil || err.Error() != "invalid secret: OPENAI_API_KEY is required" {
		t.Fatalf("err = %v, want OPENAI_API_KEY is required", err)
	}
	if got := rc.sent(); fmt.Sprint(got) != "[get secrets]" {
		t.Errorf("requests = %v, want only the read of the existing secret", got)
	}
}

func TestApplySecretNeedsApproval(t *testing.T) {
	rc := newRecordingClient(t)
	_, err := rc.ApplySecret(t.Context(), Approval{}, "taskmaster", validSecretValues())
	if err == nil || !strings.Contains(err.Error(), "not approved") {
		t.Errorf("err = %v", err)
	}
	other, _ := NewGuard("kind-other", "https://127.0.0.1:1").Approve("x", "")
	if _, err := rc.ApplySecret(t.Context(), other, "taskmaster", validSecretValues()); err == nil {
		t.Error("an approval for another cluster was accepted")
	}
	if _, err := rc.ApplySecret(t.Context(), localApproval(t, rc.Client), "Task_Master", validSecretValues()); err == nil ||
		!strings.Contains(err.Error(), `invalid namespace name "Task_Master"`) {
		t.Errorf("bad namespace: %v", err)
	}
	if got := rc.sent(); len(got) != 0 {
		t.Errorf("requests were sent: %v", got)
	}
}

func TestValidateDatabaseURL(t *testing.T) {
	ok := []string{
		fakeDatabaseURL,
		"postgres://user:pass@db.invalid:5432/app",
		"POSTGRESQL://user:pass@db.invalid/app",
		"postgresql://user:p%40ss@[::1]:5432/app?sslmode=disable",
		"postgresql://user:pass@ep-cool-name-123.eu-central-1.aws.neon.tech/app?sslmode=require",
		"postgresql://user:pass@ep-x.neon.tech/app?sslmode=verify-full",
	}
	for _, s := range ok {
		if w, err := ValidateDatabaseURL(s); err != nil || w != "" {
			t.Errorf("ValidateDatabaseURL(%q) = %q, %v", s, w, err)
		}
	}
	for _, s := range []string{
		"postgresql://user:pass@ep-cool-name-123.eu-central-1.aws.neon.tech/app",
		"postgresql://user:pass@EP-X.NEON.TECH/app?sslmode=prefer",
	} {
		w, err := ValidateDatabaseURL(s)
		if err != nil || w != "DATABASE_URL points at Neon without sslmode=require: Neon refuses unencrypted connections; add ?sslmode=require" {
			t.Errorf("ValidateDatabaseURL(%q) = %q, %v; want the Neon warning", s, w, err)
		}
		if strings.Contains(w, "neon.tech/") || strings.Contains(w, "pass") {
			t.Errorf("the warning quotes the URL: %q", w)
		}
	}
	// The warning reaches the caller of ValidateSecretValues too.
	v := validSecretValues()
	v.DatabaseURL = "postgresql://user:pass@ep-x.neon.tech/app"
	warnings, err := ValidateSecretValues(v, nil)
	if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "sslmode=require") {
		t.Errorf("ValidateSecretValues = %q, %v", warnings, err)
	}
}

func TestValidateSecretValuesKeepsExistingKeys(t *testing.T) {
	if _, err := ValidateSecretValues(SecretValues{}, RequiredSecretKeys()); err != nil {
		t.Errorf("all fields empty with every required key kept: %v", err)
	}
	if _, err := ValidateSecretValues(SecretValues{OpenAIAPIKey: "sk-new"}, []string{SecretKeyDatabaseURL, SecretKeyJWTSecret}); err != nil {
		t.Errorf("one field given, the others kept: %v", err)
	}
}

func TestGenerateJWTSecret(t *testing.T) {
	a, err := GenerateJWTSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateJWTSecret()
	if a == b {
		t.Error("two secrets are equal")
	}
	if len(a) != 64 {
		t.Errorf("length %d, want 64", len(a))
	}
	if err := ValidateJWTSecret(a); err != nil {
		t.Errorf("a generated secret fails validation: %v", err)
	}
}

func TestSecretValuesNeverPrintTheirValues(t *testing.T) {
	v := validSecretValues()
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "values", v)
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%v", &v), logged.String()} {
		for _, secret := range v.all() {
			if strings.Contains(s, secret) {
				t.Errorf("printed %q", s)
			}
		}
	}
	want := "SecretValues{DATABASE_URL:set OPENAI_API_KEY:set GEMINI_API_KEY:set JWT_SECRET_KEY:set}"
	if v.String() != want {
		t.Errorf("String() = %q, want %q", v.String(), want)
	}
}

func TestRedactErrorKeepsTheStatus(t *testing.T) {
	err := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, SecretName, errors.New("webhook said "+fakeOpenAIKey))
	red := secretAPIError("write", "taskmaster", err, []string{fakeOpenAIKey})
	if strings.Contains(red.Error(), fakeOpenAIKey) {
		t.Errorf("value in error: %v", red)
	}
	if !apierrors.IsForbidden(red) || !strings.Contains(red.Error(), "[redacted]") || !strings.Contains(red.Error(), "needs get, create and patch on secrets") {
		t.Errorf("redacted error lost its meaning: %v", red)
	}
	plain := errors.New("connection refused")
	if got := redactError(plain, []string{fakeOpenAIKey}); got != plain {
		t.Errorf("an error without values was replaced: %v", got)
	}
}

func TestPodSpecUsesSecret(t *testing.T) {
	keyRef := func(name string) []corev1.EnvVar {
		return []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: "k"}}}}
	}
	tests := []struct {
		name string
		spec corev1.PodSpec
		want bool
	}{
		{"env", corev1.PodSpec{Containers: []corev1.Container{{Env: keyRef(SecretName)}}}, true},
		{"env of another secret", corev1.PodSpec{Containers: []corev1.Container{{Env: keyRef("other")}}}, false},
		{"init container", corev1.PodSpec{InitContainers: []corev1.Container{{Env: keyRef(SecretName)}}}, true},
		{"envFrom", corev1.PodSpec{Containers: []corev1.Container{{EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: SecretName}}}}}}}, true},
		{"volume", corev1.PodSpec{Volumes: []corev1.Volume{{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: SecretName}}}}}, true},
		{"projected", corev1.PodSpec{Volumes: []corev1.Volume{{VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: SecretName}}}}}}}}}, true},
		{"plain env", corev1.PodSpec{Containers: []corev1.Container{{Env: []corev1.EnvVar{{Name: "A", Value: SecretName}}}}}, false},
	}
	for _, tt := range tests {
		if got := podSpecUsesSecret(&tt.spec, SecretName); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
