package k8s

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// SecretName is the Secret the chart's backend reads (the chart's
// secrets.existingSecret).
const SecretName = "taskmaster-secret"

// The Secret's keys: the chart's contract, which maps each to the backend's
// environment variable named in SecretFields.
const (
	SecretKeyDatabaseURL  = "database-url"
	SecretKeyOpenAIAPIKey = "openai-api-key"
	SecretKeyGeminiAPIKey = "gemini-api-key"
	SecretKeyJWTSecret    = "jwt-secret"
)

// SecretField is one key of the Secret.
type SecretField struct {
	Key      string // in the Secret
	Env      string // the backend's environment variable, the name users know it by
	Required bool
}

// SecretFields are the Secret's keys, in the order a form asks for them.
var SecretFields = []SecretField{
	{SecretKeyDatabaseURL, "DATABASE_URL", true},
	{SecretKeyOpenAIAPIKey, "OPENAI_API_KEY", true},
	{SecretKeyGeminiAPIKey, "GEMINI_API_KEY", false},
	{SecretKeyJWTSecret, "JWT_SECRET_KEY", true},
}

// RequiredSecretKeys are the keys the backend cannot start without.
func RequiredSecretKeys() []string {
	var keys []string
	for _, f := range SecretFields {
		if f.Required {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// MinJWTSecretBytes is the shortest JWT secret accepted: 256 bits, what
// HS256 needs to be as strong as its hash.
const MinJWTSecretBytes = 32

// SecretValues are what the user typed. On an update an empty field keeps the
// Secret's current value.
//
// Printing a SecretValues (fmt, slog) shows which fields are set, never a
// value.
type SecretValues struct {
	DatabaseURL  string
	OpenAIAPIKey string
	GeminiAPIKey string
	JWTSecret    string
}

func (v SecretValues) get(key string) string {
	switch key {
	case SecretKeyDatabaseURL:
		return v.DatabaseURL
	case SecretKeyOpenAIAPIKey:
		return v.OpenAIAPIKey
	case SecretKeyGeminiAPIKey:
		return v.GeminiAPIKey
	case SecretKeyJWTSecret:
		return v.JWTSecret
	}
	return ""
}

func (v SecretValues) all() []string {
	var out []string
	for _, f := range SecretFields {
		if s := v.get(f.Key); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (v SecretValues) String() string {
	parts := make([]string, 0, len(SecretFields))
	for _, f := range SecretFields {
		state := "empty"
		if v.get(f.Key) != "" {
			state = "set"
		}
		parts = append(parts, f.Env+":"+state)
	}
	return "SecretValues{" + strings.Join(parts, " ") + "}"
}

// GoString keeps %#v from printing the values.
func (v SecretValues) GoString() string { return v.String() }

// LogValue keeps slog from printing the values.
func (v SecretValues) LogValue() slog.Value { return slog.StringValue(v.String()) }

// SecretFieldError is one field that failed validation. Its text names the
// field and the problem, never the value.
type SecretFieldError struct {
	Field   string // the environment variable, e.g. DATABASE_URL
	Problem string // e.g. "is required"
}

func (e *SecretFieldError) Error() string { return e.Field + " " + e.Problem }

// SecretValidationError lists every field that failed, so a form can mark
// them all at once.
type SecretValidationError struct {
	Fields []*SecretFieldError
}

func (e *SecretValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return "invalid secret: " + strings.Join(msgs, "; ")
}

func (e *SecretValidationError) Unwrap() []error {
	out := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f
	}
	return out
}

func hasSpace(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// ValidateDatabaseURL checks a DATABASE_URL: a postgres:// or postgresql://
// URL with a host. The warning (not an error) is for a Neon host without
// sslmode=require, which Neon refuses to connect without.
func ValidateDatabaseURL(s string) (warning string, err error) {
	const field = "DATABASE_URL"
	fail := func(problem string) (string, error) { return "", &SecretFieldError{Field: field, Problem: problem} }
	lower := strings.ToLower(s)
	switch {
	case s == "":
		return fail("is empty")
	case hasSpace(s):
		return fail("contains a space or line break: paste it again without them")
	case !strings.HasPrefix(lower, "postgres://") && !strings.HasPrefix(lower, "postgresql://"):
		return fail("must be a PostgreSQL URL starting with postgres:// or postgresql://")
	}
	// Never wrap url.Parse's error: it quotes the whole URL, password included.
	u, perr := url.Parse(s)
	if perr != nil {
		return fail("is not a valid URL: percent-encode special characters (@ : / ? #) in the user name and password")
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return fail("has no host: expected postgresql://user:password@host:5432/database")
	}
	if host == "neon.tech" || strings.HasSuffix(host, ".neon.tech") {
		switch u.Query().Get("sslmode") {
		case "require", "verify-ca", "verify-full":
		default:
			return field + " points at Neon without sslmode=require: Neon refuses unencrypted connections; add ?sslmode=require", nil
		}
	}
	return "", nil
}

// ValidateAPIKey checks an API key (field is its variable, e.g.
// OPENAI_API_KEY): no spaces or line breaks, which a paste often brings along.
// Whether it may be empty is up to the caller.
func ValidateAPIKey(field, s string) error {
	if hasSpace(s) {
		return &SecretFieldError{Field: field, Problem: "contains a space or line break: paste the key again without them"}
	}
	return nil
}

// ValidateJWTSecret checks a JWT signing secret: at least MinJWTSecretBytes
// bytes, without a space or line break at either end (a paste's leftovers,
// which the backend would take as part of the secret).
func ValidateJWTSecret(s string) error {
	const field = "JWT_SECRET_KEY"
	switch {
	case len(s) < MinJWTSecretBytes:
		return &SecretFieldError{Field: field, Problem: fmt.Sprintf("must be at least %d bytes long: generate one instead", MinJWTSecretBytes)}
	case strings.TrimSpace(s) != s:
		return &SecretFieldError{Field: field, Problem: "starts or ends with a space or line break: remove them"}
	}
	return nil
}

// GenerateJWTSecret returns a new random secret: 48 bytes from crypto/rand,
// base64url-encoded (64 characters).
func GenerateJWTSecret() (string, error) {
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a JWT secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ValidateSecretValues checks every field given. kept lists the keys the
// Secret already holds a value for: an empty required field is allowed
// only when its key is among them (it keeps that value). It returns warnings
// for values that are allowed but probably wrong.
func ValidateSecretValues(v SecretValues, kept []string) (warnings []string, err error) {
	var errs []*SecretFieldError
	add := func(err error) {
		var fe *SecretFieldError
		if errors.As(err, &fe) {
			errs = append(errs, fe)
		}
	}
	for _, f := range SecretFields {
		s := v.get(f.Key)
		if s == "" {
			if f.Required && !slices.Contains(kept, f.Key) {
				errs = append(errs, &SecretFieldError{Field: f.Env, Problem: "is required"})
			}
			continue
		}
		switch f.Key {
		case SecretKeyDatabaseURL:
			w, err := ValidateDatabaseURL(s)
			add(err)
			if w != "" {
				warnings = append(warnings, w)
			}
		case SecretKeyJWTSecret:
			add(ValidateJWTSecret(s))
		default:
			add(ValidateAPIKey(f.Env, s))
		}
	}
	if len(errs) > 0 {
		return warnings, &SecretValidationError{Fields: errs}
	}
	return warnings, nil
}

// SecretState is what the cluster's Secret holds, by key: never the values.
type SecretState struct {
	Exists  bool
	Keys    []string // the chart's keys that hold a value, in SecretFields order
	Missing []string // required keys without a value
}

// ReadSecretState reports which of the chart's keys the Secret in namespace
// holds. A missing Secret is not an error: Exists is false.
func (c *Client) ReadSecretState(ctx context.Context, namespace string) (SecretState, error) {
	s, err := c.clientset.CoreV1().Secrets(namespace).Get(ctx, SecretName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return SecretState{Missing: RequiredSecretKeys()}, nil
	}
	if err != nil {
		return SecretState{}, secretAPIError("read", namespace, err, nil)
	}
	return secretStateOf(s), nil
}

func secretStateOf(s *corev1.Secret) SecretState {
	st := SecretState{Exists: true}
	for _, f := range SecretFields {
		if len(s.Data[f.Key]) > 0 {
			st.Keys = append(st.Keys, f.Key)
		} else if f.Required {
			st.Missing = append(st.Missing, f.Key)
		}
	}
	return st
}

// SecretResult says what ApplySecret did, by key.
type SecretResult struct {
	Created  bool
	Changed  []string // keys whose value is new or different
	Kept     []string // keys left as they were (the field was empty)
	Warnings []string // allowed but probably wrong, e.g. a Neon URL without sslmode=require
}

// ApplySecret creates or updates the Secret in namespace with one
// server-side apply, so all keys land or none do. A field left empty keeps
// the value the Secret has. Everything is validated before anything is
// sent; errors name fields, never values.
func (c *Client) ApplySecret(ctx context.Context, approval Approval, namespace string, v SecretValues) (SecretResult, error) {
	if err := c.verifyApproval(approval); err != nil {
		return SecretResult{}, err
	}
	if err := ValidateNamespaceName(namespace); err != nil {
		return SecretResult{}, err
	}
	// Check what can be checked without the cluster first, so that nothing
	// is even read when the input is wrong.
	allKept := make([]string, 0, len(SecretFields))
	for _, f := range SecretFields {
		allKept = append(allKept, f.Key)
	}
	if _, err := ValidateSecretValues(v, allKept); err != nil {
		return SecretResult{}, err
	}

	secrets := c.clientset.CoreV1().Secrets(namespace)
	existing, err := secrets.Get(ctx, SecretName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		existing = nil
	case err != nil:
		return SecretResult{}, secretAPIError("read", namespace, err, v.all())
	}
	var kept []string
	if existing != nil {
		kept = secretStateOf(existing).Keys
	}
	warnings, err := ValidateSecretValues(v, kept)
	if err != nil {
		return SecretResult{}, err
	}

	res := SecretResult{Created: existing == nil, Warnings: warnings}
	data := map[string][]byte{}
	for _, f := range SecretFields {
		if s := v.get(f.Key); s != "" {
			data[f.Key] = []byte(s)
			if existing == nil || !bytes.Equal(existing.Data[f.Key], data[f.Key]) {
				res.Changed = append(res.Changed, f.Key)
			}
			continue
		}
		if existing != nil && len(existing.Data[f.Key]) > 0 {
			data[f.Key] = existing.Data[f.Key]
			res.Kept = append(res.Kept, f.Key)
		}
	}

	if existing != nil && len(res.Changed) == 0 && existing.Labels[ManagedByLabel] == ManagedByTmtui && existing.Type == corev1.SecretTypeOpaque {
		slog.Info("secret unchanged", "namespace", namespace, "secret", SecretName)
		return res, nil
	}

	// Data rather than StringData: the fields tmtui owns are then the keys
	// themselves, so a later apply that leaves a key out would really drop it.
	ac := corev1ac.Secret(SecretName, namespace).
		WithType(corev1.SecretTypeOpaque).
		WithLabels(map[string]string{ManagedByLabel: ManagedByTmtui}).
		WithData(data)
	if existing != nil {
		// Fail rather than overwrite a change made since it was read.
		ac = ac.WithResourceVersion(existing.ResourceVersion)
	}
	if _, err := secrets.Apply(ctx, ac, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
		return SecretResult{}, secretAPIError("write", namespace, err, append(v.all(), existingValues(existing)...))
	}
	slog.Info("secret applied", "namespace", namespace, "secret", SecretName, "created", res.Created, "changed", res.Changed, "kept", res.Kept)
	return res, nil
}

func existingValues(s *corev1.Secret) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, v := range s.Data {
		if len(v) > 0 {
			out = append(out, string(v))
		}
	}
	return out
}

// secretAPIError explains a failed request about the Secret. The API
// server's message is kept for the log, but any secret value in it (servers
// do not echo data, but a webhook might) is replaced, so that no value can
// reach the screen or the log file.
func secretAPIError(verb, namespace string, err error, values []string) error {
	err = redactError(err, values)
	where := fmt.Sprintf("secret %s in namespace %s", SecretName, namespace)
	switch {
	case apierrors.IsForbidden(err):
		need := "get"
		if verb == "write" {
			need = "get, create and patch"
		}
		return fmt.Errorf("cannot %s %s: your account may not (it needs %s on secrets): %w", verb, where, need, err)
	case apierrors.IsConflict(err):
		return fmt.Errorf("cannot %s %s: it changed while tmtui was updating it; try again: %w", verb, where, err)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("cannot %s %s: namespace %s does not exist; create it first: %w", verb, where, namespace, err)
	}
	return fmt.Errorf("cannot %s %s: %w", verb, where, err)
}

// redactError returns err, or when its text holds one of values, an error
// of the same API status (so apierrors.IsForbidden and friends still work)
// whose text does not.
func redactError(err error, values []string) error {
	msg := err.Error()
	leaks := false
	for _, v := range values {
		if v != "" && strings.Contains(msg, v) {
			leaks = true
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	if !leaks {
		return err
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		s.Message = msg
		s.Details = nil
		return &apierrors.StatusError{ErrStatus: s}
	}
	return errors.New(msg)
}

// SecretConsumers lists the deployments in namespace whose pods read the
// Secret secret (environment, envFrom or a volume): the ones to restart so
// they see a changed value, as pods read secrets in the environment only when
// they start.
func (c *Client) SecretConsumers(ctx context.Context, namespace, secret string) ([]string, error) {
	list, err := c.clientset.AppsV1().Deployments(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing deployments in namespace %s: %w", namespace, err)
	}
	var names []string
	for _, d := range list.Items {
		if podSpecUsesSecret(&d.Spec.Template.Spec, secret) {
			names = append(names, d.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}

func podSpecUsesSecret(spec *corev1.PodSpec, secret string) bool {
	containers := slices.Concat(spec.InitContainers, spec.Containers)
	for _, c := range containers {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == secret {
				return true
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil && e.SecretRef.Name == secret {
				return true
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.Secret != nil && v.Secret.SecretName == secret {
			return true
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil && s.Secret.Name == secret {
					return true
				}
			}
		}
	}
	return false
}

// RestartSecretConsumers rolls the deployments that read the Secret secret,
// as `kubectl rollout restart` does (a new restartedAt annotation on the pod
// template), and returns their names. Call it when the user asks, after
// ApplySecret changed a value.
func (c *Client) RestartSecretConsumers(ctx context.Context, approval Approval, namespace, secret string) ([]string, error) {
	if err := c.verifyApproval(approval); err != nil {
		return nil, err
	}
	names, err := c.SecretConsumers(ctx, namespace, secret)
	if err != nil {
		return nil, err
	}
	restarted, err := c.restartDeployments(ctx, namespace, names)
	if err != nil {
		return restarted, err
	}
	slog.Info("restarted deployments using the secret", "namespace", namespace, "secret", secret, "deployments", restarted)
	return restarted, nil
}
