package docker

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// contextFixture makes a context folder like an app's, with the given
// extra files (path -> content), and returns its path.
func contextFixture(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":                "FROM scratch\nCOPY . /app/\n",
		"app/main.py":               "print('hi')\n",
		"app/cache/main.pyc":        "\x00\x01",
		"node_modules/pkg/index.js": "module.exports = 1\n",
		"node_modules/keep/keep.js": "module.exports = 2\n",
		"logs/old.log":              "old\n",
		"keep.log":                  "keep\n",
		"secret/.env":               "TOKEN=x\n",
		"docs/readme.md":            "# docs\n",
	}
	for p, c := range extra {
		files[p] = c
	}
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("app/main.py", filepath.Join(dir, "main-link")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tarOf plans and writes the context, and returns the plan and the
// archive's entries (name -> content; folders end in "/").
func tarOf(t *testing.T, contextDir, dockerfile string) (contextPlan, map[string]string) {
	t.Helper()
	plan, err := planContext(contextDir, dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plan.write(&buf); err != nil {
		t.Fatal(err)
	}
	entries := map[string]string{}
	tr := tar.NewReader(&buf)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" {
			t.Errorf("%s is owned by %d:%d %q, want root as the Docker CLI sends it", hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname)
		}
		data, _ := io.ReadAll(tr)
		if hdr.Typeflag == tar.TypeSymlink {
			data = []byte("-> " + hdr.Linkname)
		}
		entries[hdr.Name] = string(data)
	}
	return plan, entries
}

func names(entries map[string]string) []string {
	var out []string
	for n := range entries {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

var everything = []string{
	"Dockerfile", "app/", "app/cache/", "app/cache/main.pyc", "app/main.py", "docs/", "docs/readme.md",
	"keep.log", "logs/", "logs/old.log", "main-link", "node_modules/", "node_modules/keep/",
	"node_modules/keep/keep.js", "node_modules/pkg/", "node_modules/pkg/index.js", "secret/", "secret/.env",
}

func TestContextWithoutIgnoreFileIsTheWholeFolder(t *testing.T) {
	plan, entries := tarOf(t, contextFixture(t, nil), "")
	if got := names(entries); !reflect.DeepEqual(got, everything) {
		t.Errorf("entries:\n%q\nwant:\n%q", got, everything)
	}
	if plan.dockerfile != "Dockerfile" || plan.hidden != nil {
		t.Errorf("dockerfile %q (hidden %v), want the context's own Dockerfile", plan.dockerfile, plan.hidden != nil)
	}
	if entries["main-link"] != "-> app/main.py" {
		t.Errorf("main-link = %q, want a symbolic link to app/main.py", entries["main-link"])
	}
}

func TestDockerignorePatterns(t *testing.T) {
	cases := []struct {
		name, ignore string
		want         []string
	}{{
		name:   "folders, root-level globs, ** globs, an exception, a comment",
		ignore: "# not a pattern\nnode_modules\n*.log\n!keep.log\n**/*.pyc\n/secret\n",
		// *.log matches at the top only, as in Docker: logs/old.log stays.
		want: []string{".dockerignore", "Dockerfile", "app/", "app/cache/", "app/main.py", "docs/", "docs/readme.md",
			"keep.log", "logs/", "logs/old.log", "main-link"},
	}, {
		name:   "an exception inside an excluded folder brings back only itself",
		ignore: "node_modules\n!node_modules/keep\nsecret/**\ndocs/*.md\n",
		want: []string{".dockerignore", "Dockerfile", "app/", "app/cache/", "app/cache/main.pyc", "app/main.py", "docs/",
			"keep.log", "logs/", "logs/old.log", "main-link", "node_modules/keep/", "node_modules/keep/keep.js", "secret/"},
	}, {
		name:   "everything but what is named",
		ignore: "*\n!Dockerfile\n!app\napp/cache\n",
		want:   []string{"Dockerfile", "app/", "app/main.py"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, entries := tarOf(t, contextFixture(t, map[string]string{".dockerignore": tc.ignore}), "Dockerfile")
			if got := names(entries); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("entries:\n%q\nwant:\n%q", got, tc.want)
			}
			if plan.dockerfile != "Dockerfile" || !strings.HasSuffix(plan.ignoreFile, ".dockerignore") {
				t.Errorf("plan = %+v", plan)
			}
		})
	}
}

// An ignored Dockerfile still reaches the engine, under a name of its own
// that a .dockerignore of tmtui's has the engine drop after reading it,
// so that `COPY . .` does not copy it.
func TestIgnoredDockerfileIsSentApart(t *testing.T) {
	dir := contextFixture(t, map[string]string{".dockerignore": "Dockerfile\n.dockerignore\nnode_modules\nsecret\n"})
	plan, entries := tarOf(t, dir, "")
	if !strings.HasPrefix(plan.dockerfile, ".dockerfile.") || len(plan.dockerfile) < len(".dockerfile.")+16 {
		t.Fatalf("dockerfile sent as %q, want a hidden name", plan.dockerfile)
	}
	if entries[plan.dockerfile] != "FROM scratch\nCOPY . /app/\n" {
		t.Errorf("%s = %q, want the Dockerfile's content", plan.dockerfile, entries[plan.dockerfile])
	}
	if _, ok := entries["Dockerfile"]; ok {
		t.Error("the ignored Dockerfile is in the context under its own name")
	}
	if want := ".dockerignore\n" + plan.dockerfile + "\n"; entries[".dockerignore"] != want {
		t.Errorf(".dockerignore = %q, want %q", entries[".dockerignore"], want)
	}
	if _, ok := entries["secret/.env"]; ok {
		t.Error("secret/.env is in the context")
	}
}

func TestDockerfileIgnoreFileWinsAndDockerfileMayLieOutside(t *testing.T) {
	t.Run("inside the context", func(t *testing.T) {
		dir := contextFixture(t, map[string]string{
			".dockerignore":                     "app\n",
			"build/app.Dockerfile":              "FROM scratch\n",
			"build/app.Dockerfile.dockerignore": "docs\nnode_modules\nsecret\nlogs\n*.log\n",
		})
		plan, entries := tarOf(t, dir, "build/app.Dockerfile")
		if plan.dockerfile != "build/app.Dockerfile" || plan.ignoreFile != filepath.Join(plan.dir, "build", "app.Dockerfile.dockerignore") {
			t.Errorf("plan = %+v", plan)
		}
		want := []string{".dockerignore", "Dockerfile", "app/", "app/cache/", "app/cache/main.pyc", "app/main.py",
			"build/", "build/app.Dockerfile", "build/app.Dockerfile.dockerignore", "main-link"}
		if got := names(entries); !reflect.DeepEqual(got, want) {
			t.Errorf("entries:\n%q\nwant:\n%q", got, want)
		}
	})
	t.Run("outside the context", func(t *testing.T) {
		dir := contextFixture(t, map[string]string{".dockerignore": "secret\n"})
		outside := t.TempDir()
		write := func(name, content string) {
			if err := os.WriteFile(filepath.Join(outside, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("web.Dockerfile", "FROM scratch\nCOPY app /app\n")
		write("web.Dockerfile.dockerignore", "node_modules\n")
		plan, entries := tarOf(t, dir, filepath.Join(outside, "web.Dockerfile"))
		if !strings.HasPrefix(plan.dockerfile, ".dockerfile.") || entries[plan.dockerfile] != "FROM scratch\nCOPY app /app\n" {
			t.Errorf("dockerfile %q = %q, want the outside Dockerfile under a hidden name", plan.dockerfile, entries[plan.dockerfile])
		}
		if _, ok := entries["node_modules/"]; ok {
			t.Error("node_modules is in the context: the Dockerfile's own ignore file was not used")
		}
		if _, ok := entries["secret/.env"]; !ok {
			t.Error("secret/.env is missing: the context's .dockerignore was used instead of the Dockerfile's")
		}
	})
}

func TestMissingDockerfileOrContextIsNamed(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ contextDir, dockerfile, want string }{
		{dir, "", "no Dockerfile in " + dir},
		{dir, "web.Dockerfile", "no web.Dockerfile in " + dir},
		{dir, filepath.Join(dir, "nope", "Dockerfile"), "no Dockerfile at " + filepath.Join(dir, "nope", "Dockerfile")},
		{dir, ".", "no . in"}, // a folder is not a Dockerfile
		{filepath.Join(dir, "missing"), "", "build context " + filepath.Join(dir, "missing")},
		{"", "", "no build context folder"},
	}
	for _, tc := range cases {
		if _, err := planContext(tc.contextDir, tc.dockerfile); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("planContext(%q, %q) = %v, want an error with %q", tc.contextDir, tc.dockerfile, err, tc.want)
		}
	}
}
