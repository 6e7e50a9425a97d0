package k8s

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Fuzz targets for what users type and what pods print. Their seed corpora
// run in every `go test`; hack/fuzz.sh runs each with -fuzz for a while.

// The only things a secret validator may say: fixed phrases, so that no
// part of what was typed can reach the screen or the log.
var secretProblems = map[string][]string{
	"DATABASE_URL": {
		"is empty",
		"is required",
		"contains a space or line break: paste it again without them",
		"must be a PostgreSQL URL starting with postgres:// or postgresql://",
		"is not a valid URL: percent-encode special characters (@ : / ? #) in the user name and password",
		"has no host: expected postgresql://user:password@host:5432/database",
	},
	"OPENAI_API_KEY": {"is required", "contains a space or line break: paste the key again without them"},
	"GEMINI_API_KEY": {"contains a space or line break: paste the key again without them"},
	"JWT_SECRET_KEY": {
		"is required",
		fmt.Sprintf("must be at least %d bytes long: generate one instead", MinJWTSecretBytes),
		"starts or ends with a space or line break: remove them",
	},
}

const neonWarning = "DATABASE_URL points at Neon without sslmode=require: Neon refuses unencrypted connections; add ?sslmode=require"

// checkFieldError fails unless err is a *SecretFieldError for field with one
// of the fixed problems.
func checkFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var fe *SecretFieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %T %q is not a *SecretFieldError", err, err)
	}
	if fe.Field != field || !slices.Contains(secretProblems[field], fe.Problem) {
		t.Fatalf("unexpected error text %q for %s: it may quote the value", fe.Error(), field)
	}
	if fe.Error() != field+" "+fe.Problem {
		t.Fatalf("Error() = %q", fe.Error())
	}
}

func hasSpaceOrControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

func FuzzValidateDatabaseURL(f *testing.F) {
	for _, s := range []string{
		"", " ", "postgres://u:p@db:5432/app", "postgresql://u:p@ep-x.eu-central-1.aws.neon.tech/app?sslmode=require",
		"postgresql://u:p@ep-x.neon.tech/app", "POSTGRES://U:P@HOST/DB", "postgres://u:p@db/app\n", "postgres:// u@db",
		"mysql://u:p@db/app", "postgres:///app", "postgres://u:p%zz@db/app", "postgres://u:p@[::1]:5432/app",
		"postgres://u:p@db:port/app", "postgres://u:p@/app", "postgres://:@neon.tech?sslmode=disable", "postgres://h\x00/x",
		"postgres://u:pa#ss@db/app", "postgres://u:p@db/app?sslmode=verify-full", "postgres://[fe80::1%25en0]/db",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		warning, err := ValidateDatabaseURL(s)
		if err != nil {
			checkFieldError(t, err, "DATABASE_URL")
			if warning != "" {
				t.Fatalf("a warning with an error: %q", warning)
			}
			return
		}
		if warning != "" && warning != neonWarning {
			t.Fatalf("unexpected warning %q: it may quote the value", warning)
		}
		// Accepted: the documented rules hold.
		lower := strings.ToLower(s)
		if !strings.HasPrefix(lower, "postgres://") && !strings.HasPrefix(lower, "postgresql://") {
			t.Fatalf("accepted %q without a postgres:// scheme", s)
		}
		if hasSpaceOrControl(s) {
			t.Fatalf("accepted %q with a space or control character", s)
		}
		u, perr := url.Parse(s)
		if perr != nil || u.Hostname() == "" {
			t.Fatalf("accepted %q, which has no host (%v)", s, perr)
		}
	})
}

func FuzzValidateAPIKey(f *testing.F) {
	for _, s := range []string{"", "sk-proj-abc123", "sk-abc def", "key\n", "\tkey", "AIzaSy\u00a0x", "k\x7f", "ключ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateAPIKey("OPENAI_API_KEY", s)
		if err != nil {
			checkFieldError(t, err, "OPENAI_API_KEY")
		}
		if (err != nil) != hasSpaceOrControl(s) {
			t.Fatalf("ValidateAPIKey(%q) = %v: rejects exactly the keys with spaces or control characters", s, err)
		}
	})
}

func FuzzValidateJWTSecret(f *testing.F) {
	for _, s := range []string{
		"", "short", strings.Repeat("a", 31), strings.Repeat("a", 32), " " + strings.Repeat("a", 32),
		strings.Repeat("a", 32) + "\n", strings.Repeat("é", 16), "\u00a0" + strings.Repeat("b", 40),
		strings.Repeat("c", 20) + " " + strings.Repeat("c", 20),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateJWTSecret(s)
		if err != nil {
			checkFieldError(t, err, "JWT_SECRET_KEY")
			return
		}
		if len(s) < MinJWTSecretBytes {
			t.Fatalf("accepted a JWT secret of %d bytes", len(s))
		}
		if strings.TrimSpace(s) != s {
			t.Fatalf("accepted %q with a space at an end", s)
		}
	})
}

func FuzzValidateSecretValues(f *testing.F) {
	good := SecretValues{"postgres://u:p@db/app", "sk-1", "", strings.Repeat("j", 32)}
	f.Add(good.DatabaseURL, good.OpenAIAPIKey, good.GeminiAPIKey, good.JWTSecret, uint8(0))
	f.Add("", "", "", "", uint8(0))
	f.Add("", "", "", "", uint8(15))
	f.Add("mysql://x", "sk 1", "g\n", "short", uint8(0))
	f.Add("postgres://u:p@x.neon.tech/db", "sk-1", "g", strings.Repeat("j", 40), uint8(1))
	f.Add("postgres://u:p@db/app", "", "", "", uint8(10))
	f.Fuzz(func(t *testing.T, db, openai, gemini, jwt string, keptBits uint8) {
		v := SecretValues{DatabaseURL: db, OpenAIAPIKey: openai, GeminiAPIKey: gemini, JWTSecret: jwt}
		var kept []string
		for i, field := range SecretFields {
			if keptBits&(1<<i) != 0 {
				kept = append(kept, field.Key)
			}
		}
		warnings, err := ValidateSecretValues(v, kept)
		for _, w := range warnings {
			if w != neonWarning {
				t.Fatalf("unexpected warning %q", w)
			}
		}
		if err != nil {
			var ve *SecretValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("error %T %q", err, err)
			}
			msgs := make([]string, len(ve.Fields))
			for i, fe := range ve.Fields {
				checkFieldError(t, fe, fe.Field)
				msgs[i] = fe.Error()
			}
			if err.Error() != "invalid secret: "+strings.Join(msgs, "; ") {
				t.Fatalf("Error() = %q: more than the fields' fixed problems", err.Error())
			}
		} else {
			// Accepted: each field obeys its own validator, and every
			// required one is given or kept.
			for _, field := range SecretFields {
				s := v.get(field.Key)
				if s == "" {
					if field.Required && !slices.Contains(kept, field.Key) {
						t.Fatalf("accepted without the required %s", field.Env)
					}
					continue
				}
				var ferr error
				switch field.Key {
				case SecretKeyDatabaseURL:
					_, ferr = ValidateDatabaseURL(s)
				case SecretKeyJWTSecret:
					ferr = ValidateJWTSecret(s)
				default:
					ferr = ValidateAPIKey(field.Env, s)
				}
				if ferr != nil {
					t.Fatalf("accepted %s although its validator says %v", field.Env, ferr)
				}
			}
		}
		// Printing the values shows which are set, never what they are.
		var parts []string
		for _, field := range SecretFields {
			state := "empty"
			if v.get(field.Key) != "" {
				state = "set"
			}
			parts = append(parts, field.Env+":"+state)
		}
		want := "SecretValues{" + strings.Join(parts, " ") + "}"
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			if got := fmt.Sprintf(format, v); got != want {
				t.Fatalf("Sprintf(%q) = %q, want %q", format, got, want)
			}
		}
		if got := v.LogValue().String(); got != want {
			t.Fatalf("LogValue = %q, want %q", got, want)
		}
	})
}

// FuzzParseLogLine checks the split of a log line into time and text on any
// input, and that a line made of a time and a text gives both back.
func FuzzParseLogLine(f *testing.F) {
	for _, s := range []string{
		"2026-11-25T16:52:56.659072453Z stdout F seq=1 INFO: ready",
		"2026-11-25T16:52:56.659072453Z seq=1 INFO: ready",
		"2026-11-25T16:52:56.659072453Z stderr P half",
		"2026-11-25T17:52:56+01:00 hello", "2026-11-25T16:52:56Z", "plain", "", " ", "2026-13-40T99:99:99Z x",
		"2026-11-25T16:52:56.659072453Z stdout X y", "2026-11-25T16:52:56.659072453Z stdout",
	} {
		f.Add(s, int64(1764089576), int32(659072453), "seq=1 INFO: ready", int16(60))
	}
	f.Fuzz(func(t *testing.T, line string, sec int64, nsec int32, text string, offsetMin int16) {
		// Any input: no panic, and the text is the line or its tail.
		got, rest := parseLogLine(line)
		if got.IsZero() && rest != line {
			t.Fatalf("parseLogLine(%q): no time, but text %q is not the whole line", line, rest)
		}
		if !strings.HasSuffix(line, rest) {
			t.Fatalf("parseLogLine(%q): text %q is not the line's tail", line, rest)
		}

		// Round trip: format a time (years 0-9999, any zone offset within a
		// day) and a one-line text in the CRI form, and in the API server's.
		text = strings.NewReplacer("\n", "", "\r", "").Replace(text)
		const span = 253402300800 // 0000-01-01 to 9999-12-31, in seconds from 0000
		secs := ((sec%span)+span)%span - 62167219200
		ns := int64(nsec) % 1e9
		if ns < 0 {
			ns = -ns
		}
		zone := time.FixedZone("", int(offsetMin%(24*60))*60)
		ts := time.Unix(secs, ns).In(zone)
		if y := ts.Year(); y < 0 || y > 9999 {
			return // RFC 3339 has four-digit years only
		}
		stamp := ts.Format(time.RFC3339Nano)
		for _, form := range []string{stamp + " stdout F " + text, stamp + " stderr P " + text} {
			gotT, gotText := parseLogLine(form)
			if !gotT.Equal(ts) || gotText != text {
				t.Fatalf("parseLogLine(%q) = %v, %q; want %v, %q", form, gotT, gotText, ts, text)
			}
		}
		// The API server's form is ambiguous only for a text that itself
		// starts like the CRI fields.
		if stream, after, ok := strings.Cut(text, " "); !ok || (stream != "stdout" && stream != "stderr") || !strings.HasPrefix(after, "F ") && !strings.HasPrefix(after, "P ") {
			form := stamp + " " + text
			if gotT, gotText := parseLogLine(form); !gotT.Equal(ts) || gotText != text {
				t.Fatalf("parseLogLine(%q) = %v, %q; want %v, %q", form, gotT, gotText, ts, text)
			}
		}
	})
}

// FuzzReadLogLines checks that a stream is cut into its lines, none longer
// than maxLogLine, and none lost or changed when they fit.
func FuzzReadLogLines(f *testing.F) {
	for _, s := range []string{"", "\n", "a\nb\n", "a\n\nb", "no newline at the end", "crlf\r\nline\r\n", "\r\r\n\r",
		strings.Repeat("x", 70<<10) + "\nshort\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var lines []string
		_ = readLogLines(strings.NewReader(string(data)), func(s string) bool {
			lines = append(lines, s)
			return true
		})
		tooLong := false
		for _, l := range strings.Split(string(data), "\n") {
			tooLong = tooLong || len(l) > maxLogLine
		}
		for _, l := range lines {
			if len(l) > maxLogLine {
				t.Fatalf("a line of %d bytes, the most is %d", len(l), maxLogLine)
			}
			if strings.ContainsAny(l, "\n") {
				t.Fatalf("a line holds a newline: %q", l)
			}
		}
		if tooLong || strings.Contains(string(data), "\r") {
			return
		}
		if got, want := strings.Join(lines, "\n"), strings.TrimSuffix(string(data), "\n"); got != want {
			t.Fatalf("lines %q do not add up to %q", lines, data)
		}
	})
}
