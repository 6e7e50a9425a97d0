//go:build linux

package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/distribution/reference"

	"github.com/taskmaster-ai/tmtui/hack/sandbox/internal/standin"
)

// nodeImage is images the node gets with no registry and nothing pulled:
// one layer, a static binary at /NAME, also found at each of aliases (hard
// links, as a multi-call binary is installed), and an image of it for each
// variant: the binary run with the variant's args, known by its refs.
type nodeImage struct {
	name     string // the tar's name in the node's images folder
	binary   string
	aliases  []string // absolute paths
	variants []imageVariant
}

type imageVariant struct {
	refs []string
	args []string
}

// binaryImage writes, to out, img's images in the docker-archive format
// (`docker save`'s: manifest.json, a config for each image, the one
// layer.tar they share), which `ctr images import` reads.
func binaryImage(out string, img nodeImage) error {
	data, err := os.ReadFile(img.binary)
	if err != nil {
		return err
	}
	name := filepath.Base(img.binary)

	var layer bytes.Buffer
	lt := tar.NewWriter(&layer)
	if err := lt.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := lt.Write(data); err != nil {
		return err
	}
	written := map[string]bool{}
	for _, alias := range img.aliases {
		rel := strings.TrimPrefix(alias, "/")
		var parents []string
		for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
			parents = append([]string{d}, parents...)
		}
		for _, d := range parents {
			if written[d] {
				continue
			}
			written[d] = true
			if err := lt.WriteHeader(&tar.Header{Name: d + "/", Mode: 0o755, ModTime: time.Unix(0, 0), Typeflag: tar.TypeDir}); err != nil {
				return err
			}
		}
		if err := lt.WriteHeader(&tar.Header{Name: rel, Linkname: name, Mode: 0o755, ModTime: time.Unix(0, 0), Typeflag: tar.TypeLink}); err != nil {
			return err
		}
	}
	if err := lt.Close(); err != nil {
		return err
	}
	layerSum := sha256.Sum256(layer.Bytes())

	files := []struct {
		name string
		data []byte
	}{{"layer.tar", layer.Bytes()}}
	var manifest []map[string]any
	for _, v := range img.variants {
		config, err := json.Marshal(map[string]any{
			"architecture": runtime.GOARCH,
			"os":           "linux",
			"config": map[string]any{
				"Entrypoint": append([]string{"/" + name}, v.args...),
				// A container's command (the chart's test pod's `python`)
				// is looked up here.
				"Env": []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
			},
			"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(layerSum[:])}},
		})
		if err != nil {
			return err
		}
		configSum := sha256.Sum256(config)
		configName := hex.EncodeToString(configSum[:]) + ".json"
		files = append(files, struct {
			name string
			data []byte
		}{configName, config})
		manifest = append(manifest, map[string]any{"Config": configName, "RepoTags": v.refs, "Layers": []string{"layer.tar"}})
	}
	manifestJSON, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	files = append(files, struct {
		name string
		data []byte
	}{"manifest.json", manifestJSON})

	tmp := out + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, e := range files {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return os.Rename(tmp, out)
}

// nodeImages are the images the node starts with, from the binaries
// imageParts built into bin: the pause image, and each TaskMaster service's
// stand-in under the name the chart gives its image, so the chart's pods run
// with its defaults and nothing to pull, and under each failure's tag
// (standin.Failures: :crashloop, :unready, :oom), failing for real. They
// also answer to `python`, as far as the chart's `helm test` pod (which runs
// the backend's image) asks it to (cmd/standin).
func nodeImages(bin, moduleDir string) ([]nodeImage, error) {
	refs, err := chartImages(chartDir(moduleDir))
	if err != nil {
		return nil, err
	}
	standins := nodeImage{name: "standins", binary: filepath.Join(bin, "standin"), aliases: []string{"/usr/bin/python"}}
	for _, svc := range appServices {
		args := []string{"--service", svc}
		standins.variants = append(standins.variants, imageVariant{refs: []string{refs[svc].String()}, args: args})
		for _, f := range standin.Failures {
			ref, err := reference.WithTag(reference.TrimNamed(refs[svc]), f)
			if err != nil {
				return nil, err
			}
			standins.variants = append(standins.variants, imageVariant{refs: []string{ref.String()}, args: append(slices.Clip(args), "--fail", f)})
		}
	}
	pause := nodeImage{name: "pause", binary: filepath.Join(bin, "pause"), variants: []imageVariant{{refs: []string{pauseImage}}}}
	return []nodeImage{pause, standins}, nil
}
