package docker_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Image builds pass their arguments without a shell: the package starts no
// process at all (it speaks the Engine API), and a build argument full of
// shell syntax arrives in the image exactly as given.
func TestSecurityBuildsPassArgumentsWithoutAShell(t *testing.T) {
	count := testenv.Count(t, testenv.SectionSecurity, "Image builds without a shell")
	t.Run("no process, no shell in the code", func(t *testing.T) {
		count.Trial(t)
		files, err := filepath.Glob("*.go")
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				if p, _ := strconv.Unquote(imp.Path.Value); p == "os/exec" || p == "syscall" || p == "golang.org/x/sys/unix" {
					t.Errorf("%s imports %s: builds must go through the Engine API, not a process", f, p)
				}
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, shell := range []string{`"/bin/sh"`, `"sh"`, `"bash"`, `"-c"`, `"cmd.exe"`} {
				if strings.Contains(string(src), shell) {
					t.Errorf("%s holds %s", f, shell)
				}
			}
			checked++
		}
		if checked < 5 {
			t.Errorf("only %d source files checked", checked)
		}
	})
	t.Run("a build argument with shell syntax arrives as given", func(t *testing.T) {
		count.Trial(t)
		c := engine(t)
		dir := t.TempDir()
		for name, body := range map[string]string{
			"Dockerfile": "FROM scratch\nARG PAYLOAD\nLABEL payload=\"$PAYLOAD\"\nCOPY f /f\n",
			"f":          "x\n",
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		marker := filepath.Join(t.TempDir(), "pwned")
		payload := "$(touch " + marker + "); `touch " + marker + "` && touch " + marker + " | ; ' \\ * ?"
		ref := uniqueRepo("noshell") + ":1"
		removeAtEnd(t, c, ref)
		_, res := drain(t, c.Build(t.Context(), docker.BuildRequest{ContextDir: dir, Tag: ref, BuildArgs: map[string]string{"PAYLOAD": payload}}))
		if res.Err != nil {
			t.Fatalf("build: %v", res.Err)
		}
		api, err := client.New(client.WithHost(testenv.DockerHost(t)), client.WithAPIVersionNegotiation())
		if err != nil {
			t.Fatal(err)
		}
		defer api.Close()
		img, err := api.ImageInspect(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Config.Labels["payload"]; got != payload {
			t.Errorf("label payload = %q, want the argument as given: %q", got, payload)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("a shell ran the build argument: %s exists", marker)
		}
	})
}
