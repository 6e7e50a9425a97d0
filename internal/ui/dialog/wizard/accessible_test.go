package wizard

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func runAccessible(t *testing.T, f *fakeService, input string) (ClosedMsg, string, error) {
	t.Helper()
	var out bytes.Buffer
	closed, err := RunAccessible(context.Background(), Options{Service: f, AppDir: "/src/taskmaster"}, strings.NewReader(input), &out)
	return closed, out.String(), err
}

func wantOut(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(out, p) {
			t.Fatalf("output lacks %q:\n%s", p, out)
		}
	}
}

func noSecretOut(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{fakeDBURL, "db.invalid", fakeOpenAI, fakeGemini, fakeJWT, genJWT} {
		if strings.Contains(out, s) {
			t.Fatalf("the output shows a secret (%q):\n%s", s, out)
		}
	}
}

// ACCESSIBLE=1: the whole setup as line prompts from a pipe, with a wrong
// answer re-asked, the defaults taken with a bare enter, and no secret
// written back.
func TestAccessibleSetupFromPipedInput(t *testing.T) {
	f := newFake()
	input := strings.Join([]string{
		"",          // context: the proposed one (the local one in use)
		"Bad_NS",    // refused, asked again
		"tm-dev",    // namespace
		"mysql://x", // refused: not PostgreSQL
		fakeDBURL,
		fakeOpenAI,
		"",  // no Gemini key
		"1", // generate the JWT secret
		"1", // use these images
		"1", // install now
	}, "\n") + "\n"
	closed, out, err := runAccessible(t, f, input)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantOut(t, out,
		"Step 1 of 8: Preflight", "FAIL: secret: taskmaster-secret is missing", "fix: the wizard writes it",
		"1. docker-desktop LOCAL (recommended), in use", "2. prod-eu REMOTE",
		`invalid namespace name "Bad_NS"`, "Namespace tm-dev created.",
		"DATABASE_URL must be a PostgreSQL URL", "GEMINI_API_KEY (optional: enter skips it):",
		"Secret written: DATABASE_URL, OPENAI_API_KEY, JWT_SECRET_KEY set.",
		"present: taskmaster-backend:1.0.0",
		"installing taskmaster", "Deployment/taskmaster-frontend: 0/1 ready", "pod taskmaster-frontend-5c4b-fghij (frontend): Pending, not ready: ContainerCreating",
		"Release taskmaster installed: revision 1 deployed.",
		"healthy: backend answered 200", "Open TaskMaster at http://localhost:3000",
		"setup done: TaskMaster answers at http://localhost:3000")
	noSecretOut(t, out)
	if !closed.Finished || !closed.Installed || closed.Namespace != "tm-dev" {
		t.Errorf("closed = %+v", closed)
	}
	if len(f.applied) != 1 || f.applied[0] != (SecretValues{DatabaseURL: fakeDBURL, OpenAIAPIKey: fakeOpenAI, JWTSecret: genJWT}) {
		t.Errorf("the Secret got %v", f.applied)
	}
}

// A REMOTE context needs its name typed; the changes carry it.
func TestAccessibleRemoteContextNeedsItsName(t *testing.T) {
	f := newFake()
	f.secret = SecretStatus{Exists: true, Present: RequiredSecretEnvs}
	input := "2\nprod\nprod-eu\n\n1\n1\n1\n"
	closed, out, err := runAccessible(t, f, input)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantOut(t, out, "type prod-eu exactly", "Using context prod-eu.", "Secret kept as it is.")
	if closed.Context != "prod-eu" || !strings.Contains(strings.Join(f.Calls(), ";"), "namespace taskmaster prod-eu") {
		t.Errorf("closed %+v, calls %v", closed, f.Calls())
	}
}

// When the input ends early, nothing half-done is claimed: the summary
// says what is in place.
func TestAccessibleInputEndingEarlySaysWhatIsInPlace(t *testing.T) {
	f := newFake()
	closed, out, err := runAccessible(t, f, "\n\n")
	if !errors.Is(err, errInputEnded) {
		t.Fatalf("err = %v; want the input's end\n%s", err, out)
	}
	if closed.Finished || closed.Namespace != "taskmaster" || closed.SecretReady {
		t.Errorf("closed = %+v", closed)
	}
	wantOut(t, out, "setup left; in place: namespace taskmaster")
	if len(f.applied) != 0 {
		t.Error("a Secret was written from no input")
	}
}

// The kit's questions and the build, as prompts.
func TestAccessibleBuildAsksBeforeWritingTheKit(t *testing.T) {
	f := newFake()
	f.present = map[string]bool{}
	f.secret = SecretStatus{Exists: true, Present: RequiredSecretEnvs}
	f.kit = []KitFile{
		{Path: "backend/Dockerfile", State: KitDiffers, Diff: "-FROM python:3.12\n+FROM python:3.12.4-slim AS build\n"},
		{Path: "frontend/Dockerfile", State: KitMissing},
	}
	// context, namespace, keep the Secret, build, folder (default), write
	// the missing one, keep mine, then use the images, install.
	input := "\n\n1\n2\n\n1\n1\n1\n1\n"
	_, out, err := runAccessible(t, f, input)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantOut(t, out, "lacks part of the deployment kit: frontend/Dockerfile", "backend/Dockerfile differs from tmtui's",
		"+FROM python:3.12.4-slim AS build", "Deployment kit written: frontend/Dockerfile.",
		"Building taskmaster-backend:1.0.0", "Successfully tagged taskmaster-frontend:1.0.0", "present: taskmaster-frontend:1.0.0")
	if strings.Join(f.written, ",") != "frontend/Dockerfile" {
		t.Errorf("written %v; want only the missing file", f.written)
	}
}
