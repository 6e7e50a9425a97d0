package docker_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// A FROM scratch image holding a static Go binary is built on the real
// engine, listed with its size, and removed.
func TestBuildListRemoveScratchImageOnRealEngine(t *testing.T) {
	host := testenv.DockerHost(t)
	c, err := docker.New(host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	write(t, filepath.Join(dir, "src", "go.mod"), "module hello\n\ngo 1.26\n")
	write(t, filepath.Join(dir, "src", "main.go"), "package main\n\nfunc main() { println(\"hello from scratch\") }\n")
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "ctx", "hello"), ".")
	build.Dir = filepath.Join(dir, "src")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the static binary: %v\n%s", err, out)
	}
	write(t, filepath.Join(dir, "ctx", "Dockerfile"), "FROM scratch\nCOPY hello /hello\nUSER 65532:65532\nENTRYPOINT [\"/hello\"]\n")
	binInfo, err := os.Stat(filepath.Join(dir, "ctx", "hello"))
	if err != nil {
		t.Fatal(err)
	}

	repo := fmt.Sprintf("tmtui-test/scratch-%d", time.Now().UnixNano())
	progress := make(chan string, 64)
	var lines []string
	done := make(chan struct{})
	go func() {
		for l := range progress {
			lines = append(lines, l)
		}
		close(done)
	}()
	id, err := c.Build(ctx, docker.BuildRequest{ContextDir: filepath.Join(dir, "ctx"), Tag: repo + ":1.0.0"}, progress)
	close(progress)
	<-done
	if err != nil {
		t.Fatalf("build: %v\noutput: %q", err, lines)
	}
	if id == "" || len(lines) == 0 {
		t.Fatalf("build returned id %q and %d output lines; want both", id, len(lines))
	}
	t.Cleanup(func() { _ = c.Remove(context.Background(), repo+":1.0.0") })

	imgs, err := c.Images(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 1 || imgs[0].Tag != "1.0.0" || imgs[0].ID != id {
		t.Fatalf("images of %s = %+v, want one tagged 1.0.0 with id %s", repo, imgs, id)
	}
	// The image is the binary and little else.
	if imgs[0].Size < binInfo.Size() || imgs[0].Size > binInfo.Size()+64<<10 {
		t.Errorf("image size %d, want about the binary's %d", imgs[0].Size, binInfo.Size())
	}

	if err := c.Remove(ctx, repo+":1.0.0"); err != nil {
		t.Fatal(err)
	}
	imgs, err = c.Images(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 0 {
		t.Fatalf("after remove, images of %s = %+v, want none", repo, imgs)
	}
}

func TestBuildWithoutDockerfileSaysWhatToDo(t *testing.T) {
	c, err := docker.New("unix:///nonexistent.sock")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Build(context.Background(), docker.BuildRequest{ContextDir: t.TempDir(), Tag: "x:1"}, nil)
	if err == nil || !strings.Contains(err.Error(), "no Dockerfile in") {
		t.Fatalf("err = %v, want it to name the missing Dockerfile", err)
	}
}

func TestUnreachableEngineIsNamed(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	c, err := docker.New("unix://" + sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Ping(ctx)
	if err == nil || !strings.Contains(err.Error(), "docker engine not reachable at unix://"+sock) {
		t.Fatalf("err = %v, want it to say the engine is not reachable and where", err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
