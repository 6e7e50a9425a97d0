package k8s

import (
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Bad input that the wizard can hand the engine: each is refused with its
// own message before a single request is made (the recording client fails
// the test on any write and records every read). The secret forms beyond
// TestApplySecretRejectsBadInputBeforeSendingAnything's are here.

const nameRule = " (a namespace name is up to 63 lowercase letters, digits and '-', starting and ending with a letter or digit)"

func TestBadNamespaceNamesAreRefusedBeforeAnyRequest(t *testing.T) {
	long := strings.Repeat("n", 64)
	tests := []struct{ name, want string }{
		{"TaskMaster", `invalid namespace name "TaskMaster": it has capital letters; use lowercase`},
		{"TASKMASTER", `invalid namespace name "TASKMASTER": it has capital letters; use lowercase`},
		{"task_master", `invalid namespace name "task_master": it may hold only lowercase letters, digits and '-'`},
		{"task.master", `invalid namespace name "task.master": it may hold only lowercase letters, digits and '-'`},
		{"task master", `invalid namespace name "task master": it may hold only lowercase letters, digits and '-'`},
		{"tâche", `invalid namespace name "tâche": it may hold only lowercase letters, digits and '-'`},
		{"-taskmaster", `invalid namespace name "-taskmaster": it must start and end with a letter or digit`},
		{"taskmaster-", `invalid namespace name "taskmaster-": it must start and end with a letter or digit`},
		{"", `invalid namespace name "": it is empty`},
		{long, `invalid namespace name "` + long + `": it is 64 characters long, the most is 63`},
	}
	count := testenv.Count(t, testenv.SectionBadInput, "Wizard fields and secrets")
	for _, tt := range tests {
		t.Run("namespace "+tt.name, func(t *testing.T) {
			count.Trial(t)
			rc := newRecordingClient(t)
			_, err := rc.EnsureNamespace(t.Context(), localApproval(t, rc.Client), tt.name, NamespaceOptions{Restricted: true})
			if err == nil || err.Error() != tt.want+nameRule {
				t.Errorf("EnsureNamespace: %v\nwant %s", err, tt.want+nameRule)
			}
			if sent := rc.sent(); len(sent) > 0 {
				t.Errorf("requests were made: %q", sent)
			}
		})
		t.Run("secret in namespace "+tt.name, func(t *testing.T) {
			count.Trial(t)
			rc := newRecordingClient(t)
			_, err := rc.ApplySecret(t.Context(), localApproval(t, rc.Client), tt.name, validSecretValues())
			if err == nil || err.Error() != tt.want+nameRule {
				t.Errorf("ApplySecret: %v\nwant %s", err, tt.want+nameRule)
			}
			if sent := rc.sent(); len(sent) > 0 {
				t.Errorf("requests were made: %q", sent)
			}
		})
	}
}

func TestMoreBadSecretFormsAreRefusedBeforeAnyRequest(t *testing.T) {
	with := func(change func(*SecretValues)) SecretValues {
		v := validSecretValues()
		change(&v)
		return v
	}
	const (
		urlSpace = "invalid secret: DATABASE_URL contains a space or line break: paste it again without them"
		keySpace = " contains a space or line break: paste the key again without them"
	)
	tests := []struct {
		name string
		in   SecretValues
		want string
	}{
		{"NUL in the database URL", with(func(v *SecretValues) { v.DatabaseURL = "postgres://u:p@db\x00.invalid/app" }), urlSpace},
		{"tab in the database URL", with(func(v *SecretValues) { v.DatabaseURL = "postgres://u:p@db.invalid/\tapp" }), urlSpace},
		{"bad percent-encoding in the password", with(func(v *SecretValues) { v.DatabaseURL = "postgres://u:p%zz@db.invalid/app" }),
			"invalid secret: DATABASE_URL is not a valid URL: percent-encode special characters (@ : / ? #) in the user name and password"},
		{"password but no host", with(func(v *SecretValues) { v.DatabaseURL = "postgresql://user:pass@/app" }),
			"invalid secret: DATABASE_URL has no host: expected postgresql://user:password@host:5432/database"},
		{"jdbc URL", with(func(v *SecretValues) { v.DatabaseURL = "jdbc:postgresql://db.invalid/app" }),
			"invalid secret: DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://"},
		{"no-break space in the OpenAI key", with(func(v *SecretValues) { v.OpenAIAPIKey = "sk-test\u00a0openai" }), "invalid secret: OPENAI_API_KEY" + keySpace},
		{"line break in the Gemini key", with(func(v *SecretValues) { v.GeminiAPIKey = "test-gemini\n" }), "invalid secret: GEMINI_API_KEY" + keySpace},
		{"JWT secret with a leading space", with(func(v *SecretValues) { v.JWTSecret = " " + fakeJWTSecret }),
			"invalid secret: JWT_SECRET_KEY starts or ends with a space or line break: remove them"},
		{"JWT secret of 31 bytes in 2-byte letters", with(func(v *SecretValues) { v.JWTSecret = strings.Repeat("é", 15) + "j" }),
			"invalid secret: JWT_SECRET_KEY must be at least 32 bytes long: generate one instead"},
	}
	count := testenv.Count(t, testenv.SectionBadInput, "Wizard fields and secrets")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			count.Trial(t)
			rc := newRecordingClient(t)
			_, err := rc.ApplySecret(t.Context(), localApproval(t, rc.Client), "taskmaster", tt.in)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant    %s", err, tt.want)
			}
			for _, v := range []string{tt.in.DatabaseURL, tt.in.OpenAIAPIKey, tt.in.GeminiAPIKey, tt.in.JWTSecret} {
				if s := strings.TrimSpace(v); s != "" && strings.Contains(err.Error(), s) {
					t.Errorf("the error quotes a value: %q", err)
				}
			}
			if sent := rc.sent(); len(sent) > 0 {
				t.Errorf("requests were made: %q", sent)
			}
		})
	}
}
