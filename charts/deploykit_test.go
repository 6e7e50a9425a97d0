package charts_test

// Tests of the deployment kit in deploy/: the files tmtui offers the app's
// repository (Dockerfiles, their ignore files, the Compose file, .env.example).

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	composecli "github.com/compose-spec/compose-go/v2/cli"
	composetypes "github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/moby/client"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

const kitDir = "../deploy"

// dockerfile is a Dockerfile parsed by buildkit, as `docker build` parses it.
type dockerfile struct {
	stages   []instructions.Stage
	warnings []string // parser and linter warnings
}

func parseDockerfile(t *testing.T, data string) dockerfile {
	t.Helper()
	res, err := parser.Parse(strings.NewReader(data))
	if err != nil {
		t.Fatalf("buildkit parser: %v", err)
	}
	var df dockerfile
	for _, w := range res.Warnings {
		df.warnings = append(df.warnings, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		df.warnings = append(df.warnings, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	df.stages, _, err = instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("buildkit instructions: %v", err)
	}
	return df
}

var numericUser = regexp.MustCompile(`^([0-9]+)(:[0-9]+)?$`)

// lastUser is the final stage's last USER, the user the image runs as.
func lastUser(s instructions.Stage) string {
	user := ""
	for _, c := range s.Commands {
		if u, ok := c.(*instructions.UserCommand); ok {
			user = u.User
		}
	}
	return user
}

func TestDockerfilesAreMultiStagePinnedAndNonRoot(t *testing.T) {
	for _, tc := range []struct {
		file, base, port string
		cmd              []string
		copiesFromBuild  string // a path the final stage takes from an earlier stage
	}{
		{"backend.Dockerfile", "python:3.12.4-slim", "8000", []string{"uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"}, "/opt/venv"},
		{"frontend.Dockerfile", "node:20-alpine", "3000", []string{"node", "server.js"}, "/src/.next/standalone"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			df := parseDockerfile(t, readFile(t, filepath.Join(kitDir, tc.file)))
			if len(df.warnings) > 0 {
				t.Errorf("buildkit warns:\n%s", strings.Join(df.warnings, "\n"))
			}
			if len(df.stages) < 2 {
				t.Fatalf("%d stage(s), want a multi-stage build", len(df.stages))
			}
			var names []string
			for _, s := range df.stages {
				if !slices.Contains(names, s.BaseName) {
					// An image from a registry: pinned to the kit's version.
					ref, err := reference.ParseNormalizedNamed(s.BaseName)
					if err != nil {
						t.Fatalf("FROM %s: %v", s.BaseName, err)
					}
					tagged, ok := ref.(reference.Tagged)
					if _, digested := ref.(reference.Digested); !digested && (!ok || tagged.Tag() == "latest") {
						t.Errorf("FROM %s is not pinned to a tag or digest", s.BaseName)
					}
					if reference.FamiliarString(reference.TagNameOnly(ref)) != tc.base && !strings.HasPrefix(s.BaseName, tc.base+"@") {
						t.Errorf("FROM %s, want %s", s.BaseName, tc.base)
					}
				}
				if s.Name == "" {
					t.Errorf("stage FROM %s has no name", s.BaseName)
				}
				names = append(names, s.Name)
			}

			final := df.stages[len(df.stages)-1]
			user := lastUser(final)
			m := numericUser.FindStringSubmatch(user)
			if m == nil {
				t.Fatalf("final stage's USER is %q, want a numeric uid[:gid]", user)
			}
			if uid, _ := strconv.Atoi(m[1]); uid == 0 {
				t.Errorf("final stage runs as root (USER %s)", user)
			}
			if want := "10001"; m[1] != want {
				t.Errorf("USER %s, want uid %s (the chart's default runAsUser)", user, want)
			}

			var exposed []string
			var cmd []string
			copiedFromStage := false
			for _, c := range final.Commands {
				switch c := c.(type) {
				case *instructions.ExposeCommand:
					exposed = append(exposed, c.Ports...)
				case *instructions.CmdCommand:
					if c.PrependShell {
						t.Errorf("CMD in shell form: signals would go to the shell, not the app")
					}
					cmd = c.CmdLine
				case *instructions.CopyCommand:
					if c.From != "" && slices.Contains(names, c.From) && slices.Contains(c.SourcePaths, tc.copiesFromBuild) {
						copiedFromStage = true
					}
				}
			}
			if !slices.Equal(exposed, []string{tc.port}) {
				t.Errorf("final stage exposes %v, want %s", exposed, tc.port)
			}
			if !slices.Equal(cmd, tc.cmd) {
				t.Errorf("CMD %q, want %q", cmd, tc.cmd)
			}
			if !copiedFromStage {
				t.Errorf("final stage does not COPY --from an earlier stage %s", tc.copiesFromBuild)
			}
		})
	}
}

// The checks above do fail: a single stage, a floating base, a named or
// root user are each caught.
func TestDockerfileChecksCatchBadFiles(t *testing.T) {
	df := parseDockerfile(t, "FROM python:latest\nUSER app\nCMD [\"python\"]\n")
	if len(df.stages) != 1 || lastUser(df.stages[0]) != "app" || numericUser.MatchString(lastUser(df.stages[0])) {
		t.Errorf("stages %d, user %q: the checks would not catch this file", len(df.stages), lastUser(df.stages[0]))
	}
	df = parseDockerfile(t, "from python:3 as Build\nCMD python\n")
	if len(df.warnings) == 0 {
		t.Error("buildkit's linter found nothing wrong with inconsistent casing and a shell-form CMD")
	}
}

func ignoreMatcher(t *testing.T, file string) *patternmatcher.PatternMatcher {
	t.Helper()
	f, err := os.Open(filepath.Join(kitDir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return pm
}

// The ignore files keep secrets, local state and dependencies out of the
// build context, and keep what the Dockerfiles copy.
func TestDockerignoresKeepSecretsOutAndSourcesIn(t *testing.T) {
	for _, tc := range []struct {
		file          string
		ignored, kept []string
	}{
		{"backend.dockerignore",
			[]string{".env", ".env.local", ".git/config", "__pycache__/x.pyc", "app/__pycache__/main.cpython-312.pyc", ".venv/bin/python", "server.key"},
			[]string{"requirements.txt", "app/main.py", "app/routers/tasks.py"}},
		{"frontend.dockerignore",
			[]string{".env", ".env.production.local", ".git/HEAD", "node_modules/react/index.js", ".next/cache/webpack/x.pack", "npm-debug.log"},
			[]string{"package.json", "package-lock.json", "next.config.js", "src/app/page.tsx", "public/favicon.ico"}},
	} {
		pm := ignoreMatcher(t, tc.file)
		for _, p := range tc.ignored {
			if ok, err := pm.MatchesOrParentMatches(p); err != nil || !ok {
				t.Errorf("%s lets %s into the build context (err %v)", tc.file, p, err)
			}
		}
		for _, p := range tc.kept {
			if ok, err := pm.MatchesOrParentMatches(p); err != nil || ok {
				t.Errorf("%s keeps %s out of the build context (err %v)", tc.file, p, err)
			}
		}
	}
}

// envExample reads deploy/.env.example as KEY -> value.
func envExample(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(readFile(t, filepath.Join(kitDir, ".env.example"))))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf(".env.example: %q is not KEY=value", line)
		}
		out[k] = v
	}
	return out
}

var secretKeys = []string{"DATABASE_URL", "OPENAI_API_KEY", "GEMINI_API_KEY", "JWT_SECRET_KEY"}

func TestEnvExampleHoldsOnlyFakeValues(t *testing.T) {
	env := envExample(t)
	for _, k := range secretKeys {
		v, ok := env[k]
		switch {
		case !ok:
			t.Errorf(".env.example lacks %s", k)
		case v == "" && k == "GEMINI_API_KEY":
		case !strings.Contains(v, ".invalid") && !strings.HasPrefix(v, "replace-me-"):
			t.Errorf(".env.example: %s=%q does not look fake (want a .invalid host or replace-me-...)", k, v)
		}
	}
}

// loadCompose loads the Compose file as `docker compose` does, in a copy of
// the app's repository layout: the file at the root, .env next to it.
func loadCompose(t *testing.T, withEnv bool) (*composetypes.Project, error) {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"backend", "frontend"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "Dockerfile"), []byte(readFile(t, filepath.Join(kitDir, d+".Dockerfile"))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compose := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(compose, []byte(readFile(t, filepath.Join(kitDir, "docker-compose.yml"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if withEnv {
		if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(readFile(t, filepath.Join(kitDir, ".env.example"))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	opts, err := composecli.NewProjectOptions([]string{compose}, composecli.WithWorkingDirectory(dir), composecli.WithDotEnv)
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

func TestComposeFileLoadsBothServices(t *testing.T) {
	p, err := loadCompose(t, true)
	if err != nil {
		t.Fatalf("compose-go: %v", err)
	}
	if got := p.ServiceNames(); !slices.Equal(sortedStrings(got), []string{"backend", "frontend"}) {
		t.Fatalf("services %v, want backend and frontend", got)
	}
	env := envExample(t)
	for _, tc := range []struct {
		name, image string
		port        uint32
	}{{"backend", "taskmaster-backend:1.0.0", 8000}, {"frontend", "taskmaster-frontend:1.0.0", 3000}} {
		s := p.Services[tc.name]
		if s.Image != tc.image {
			t.Errorf("%s image %s, want %s (what the chart deploys)", tc.name, s.Image, tc.image)
		}
		if s.Build == nil || filepath.Base(s.Build.Context) != tc.name {
			t.Errorf("%s builds from %+v, want ./%s", tc.name, s.Build, tc.name)
		}
		if len(s.Ports) != 1 || s.Ports[0].Target != tc.port || s.Ports[0].Published != strconv.Itoa(int(tc.port)) || s.Ports[0].HostIP != "127.0.0.1" {
			t.Errorf("%s ports %+v, want 127.0.0.1:%d:%d", tc.name, s.Ports, tc.port, tc.port)
		}
		hc := s.HealthCheck
		if hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Test[0] != "CMD" || hc.Interval == nil || hc.Retries == nil ||
			!strings.Contains(strings.Join(hc.Test, " "), fmt.Sprintf("127.0.0.1:%d/", tc.port)) {
			t.Errorf("%s healthcheck %+v, want a CMD probing port %d", tc.name, hc, tc.port)
		}
		if !s.ReadOnly || !slices.Equal(s.CapDrop, []string{"ALL"}) {
			t.Errorf("%s read_only %v cap_drop %v, want a read-only root and no capabilities, as in the chart", tc.name, s.ReadOnly, s.CapDrop)
		}
	}

	backend, frontend := p.Services["backend"], p.Services["frontend"]
	for _, k := range secretKeys {
		if v := backend.Environment[k]; v == nil || *v != env[k] {
			t.Errorf("backend %s = %v, want %q from .env", k, v, env[k])
		}
		if _, ok := frontend.Environment[k]; ok {
			t.Errorf("the frontend gets the secret %s", k)
		}
	}
	if dep, ok := frontend.DependsOn["backend"]; !ok || dep.Condition != composetypes.ServiceConditionHealthy {
		t.Errorf("frontend depends_on %+v, want backend service_healthy", frontend.DependsOn)
	}
	if v := frontend.Environment["API_URL"]; v == nil || *v != "http://backend:8000" {
		t.Errorf("frontend API_URL = %v, want http://backend:8000", v)
	}

	// The secrets come from .env only: the file names none, and without .env
	// it does not load.
	for i, line := range strings.Split(readFile(t, filepath.Join(kitDir, "docker-compose.yml")), "\n") {
		line, _, _ = strings.Cut(line, "#")
		for _, k := range secretKeys {
			if strings.Contains(line, k) {
				t.Errorf("docker-compose.yml line %d names %s: %s", i+1, k, line)
			}
		}
	}
	if _, err := loadCompose(t, false); err == nil || !strings.Contains(err.Error(), ".env") {
		t.Errorf("without .env: err %v, want a complaint about the missing .env", err)
	}
}

func sortedStrings(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// A FROM scratch variant of the backend's Dockerfile builds on the real
// Docker engine through tmtui's own build path (internal/docker): a build
// stage, then a final stage that copies from it and ends with the kit's own
// USER and EXPOSE lines. The image runs as the kit's numeric user and
// exposes its port. (No base image can be pulled here; a static Go binary
// stands in for the app.)
func TestScratchVariantOfTheKitBuildsOnDocker(t *testing.T) {
	host := testenv.DockerHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The final stage's USER and EXPOSE, as the kit writes them.
	kit := parseDockerfile(t, readFile(t, filepath.Join(kitDir, "backend.Dockerfile")))
	final := kit.stages[len(kit.stages)-1]
	var tail []string
	for _, c := range final.Commands {
		switch c.(type) {
		case *instructions.UserCommand, *instructions.ExposeCommand:
			tail = append(tail, c.(fmt.Stringer).String())
		}
	}
	if len(tail) != 2 {
		t.Fatalf("kit's final stage USER/EXPOSE = %q", tail)
	}

	dir := t.TempDir()
	src, ctxDir := filepath.Join(dir, "src"), filepath.Join(dir, "backend")
	for _, d := range []string{src, ctxDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path, data string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(src, "go.mod"), "module standin\n\ngo 1.26\n")
	write(filepath.Join(src, "main.go"), "package main\n\nfunc main() { println(\"backend stand-in\") }\n")
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(ctxDir, "server"), ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-buildvcs=false", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in binary: %v\n%s", err, out)
	}
	write(filepath.Join(ctxDir, ".dockerignore"), readFile(t, filepath.Join(kitDir, "backend.dockerignore")))
	dockerfile := strings.Join(append([]string{
		"FROM scratch AS build",
		"COPY server /opt/app/server",
		"FROM scratch AS runtime",
		"ENV PORT=8000",
		"WORKDIR /app",
		"COPY --from=build /opt/app/server /app/server",
	}, append(tail, `CMD ["/app/server"]`)...), "\n") + "\n"
	write(filepath.Join(ctxDir, "Dockerfile"), dockerfile)
	if df := parseDockerfile(t, dockerfile); len(df.stages) != 2 || len(df.warnings) > 0 {
		t.Fatalf("the variant: %d stages, warnings %v", len(df.stages), df.warnings)
	}

	dc, err := docker.New(host)
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	tag := fmt.Sprintf("tmtui-test/taskmaster-backend-scratch:%d", time.Now().UnixNano())
	res := buildImage(ctx, dc, docker.BuildRequest{ContextDir: ctxDir, Tag: tag})
	if res.Err != nil || res.ImageID == "" {
		t.Fatalf("build: %v\nDockerfile:\n%s", res.Err, dockerfile)
	}
	id := res.ImageID
	t.Cleanup(func() { _ = dc.Remove(context.Background(), tag) })

	api, err := client.New(client.WithHost(host), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	img, err := api.ImageInspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	cfg := img.Config
	if cfg == nil {
		t.Fatal("image has no config")
	}
	if cfg.User != lastUser(final) || !numericUser.MatchString(cfg.User) {
		t.Errorf("image runs as %q, want the kit's numeric %q", cfg.User, lastUser(final))
	}
	if _, ok := cfg.ExposedPorts["8000/tcp"]; !ok || len(cfg.ExposedPorts) != 1 {
		t.Errorf("image exposes %v, want 8000/tcp", cfg.ExposedPorts)
	}
	if !slices.Equal(cfg.Cmd, []string{"/app/server"}) || cfg.WorkingDir != "/app" {
		t.Errorf("image cmd %q in %q, want /app/server in /app", cfg.Cmd, cfg.WorkingDir)
	}

	// The kit's .dockerignore keeps .env out of the context: a Dockerfile
	// that tries to copy it fails to build.
	write(filepath.Join(ctxDir, ".env"), "OPENAI_API_KEY=replace-me-openai-api-key\n")
	write(filepath.Join(ctxDir, "Leak.Dockerfile"), "FROM scratch\nCOPY .env /leak\n")
	leak := buildImage(ctx, dc, docker.BuildRequest{ContextDir: ctxDir, Dockerfile: "Leak.Dockerfile", Tag: tag + "-leak"})
	if leak.Err == nil {
		_ = dc.Remove(context.Background(), tag+"-leak")
		t.Error(".env reached the build context despite the kit's .dockerignore")
	} else if !strings.Contains(leak.Err.Error(), ".env") {
		t.Errorf("the build copying .env failed, but not for want of .env: %v", leak.Err)
	}
}

// buildImage runs a build through internal/docker and returns its result.
func buildImage(ctx context.Context, dc *docker.Client, req docker.BuildRequest) docker.BuildResult {
	var res *docker.BuildResult
	for ev := range dc.Build(ctx, req) {
		if ev.Result != nil {
			res = ev.Result
		}
	}
	if res == nil {
		return docker.BuildResult{Err: fmt.Errorf("build of %s ended without a result", req.Tag)}
	}
	return *res
}
