//go:build linux

package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestBinaryImageHoldsTheBinaryItsAliasesAndItsNames(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "standin")
	if err := os.WriteFile(bin, []byte("#!binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "backend.tar")
	img := nodeImage{name: "backend", binary: bin, aliases: []string{"/usr/bin/python"}, variants: []imageVariant{
		{refs: []string{"docker.io/library/x:1"}, args: []string{"--service", "backend"}},
		{refs: []string{"docker.io/library/x:crashloop"}, args: []string{"--service", "backend", "--fail", "crashloop"}},
	}}
	if err := binaryImage(out, img); err != nil {
		t.Fatal(err)
	}
	files := untar(t, out)
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || len(manifest) != len(img.variants) {
		t.Fatalf("manifest %s: %v", files["manifest.json"], err)
	}
	for i, v := range img.variants {
		m := manifest[i]
		if !slices.Equal(m.RepoTags, v.refs) || !slices.Equal(m.Layers, []string{"layer.tar"}) {
			t.Errorf("image %d: names %v, layers %v; want %v and the one layer", i, m.RepoTags, m.Layers, v.refs)
		}
		var config struct {
			Config struct{ Entrypoint, Env []string }
		}
		if err := json.Unmarshal(files[m.Config], &config); err != nil {
			t.Fatal(err)
		}
		if want := append([]string{"/standin"}, v.args...); !slices.Equal(config.Config.Entrypoint, want) {
			t.Errorf("image %d: entrypoint %v, want %v", i, config.Config.Entrypoint, want)
		}
		if !slices.Contains(config.Config.Env, "PATH=/usr/local/bin:/usr/bin:/bin") {
			t.Errorf("image %d: env %v: python is not on the PATH", i, config.Config.Env)
		}
	}

	layer := tar.NewReader(bytes.NewReader(files["layer.tar"]))
	var entries []string
	for {
		h, err := layer.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, h.Name+" "+h.Linkname)
	}
	if want := []string{"standin ", "usr/ ", "usr/bin/ ", "usr/bin/python standin"}; !slices.Equal(entries, want) {
		t.Errorf("layer %q, want %q", entries, want)
	}
}

func untar(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name], _ = io.ReadAll(tr)
	}
}
