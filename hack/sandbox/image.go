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
	"strings"
	"time"
)

// nodeImage is one image the node gets with no registry and nothing
// pulled: a static binary at /NAME that the image runs with args, known by
// refs, and also found at each of aliases (hard links, as a multi-call
// binary is installed).
type nodeImage struct {
	name    string // the tar's name in the node's images folder
	refs    []string
	binary  string
	args    []string
	aliases []string // absolute paths
}

// binaryImage writes, to out, img as a one-layer image in the docker-archive
// format (`docker save`'s: manifest.json, the config, layer.tar), which
// `ctr images import` reads.
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

	config, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config": map[string]any{
			"Entrypoint": append([]string{"/" + name}, img.args...),
			// A container's command (the chart's test pod's `python`) is
			// looked up here.
			"Env": []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(layerSum[:])}},
	})
	if err != nil {
		return err
	}
	configSum := sha256.Sum256(config)
	configName := hex.EncodeToString(configSum[:]) + ".json"
	manifest, err := json.Marshal([]map[string]any{{
		"Config":   configName,
		"RepoTags": img.refs,
		"Layers":   []string{"layer.tar"},
	}})
	if err != nil {
		return err
	}

	tmp := out + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, e := range []struct {
		name string
		data []byte
	}{{"manifest.json", manifest}, {configName, config}, {"layer.tar", layer.Bytes()}} {
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
// with its defaults and nothing to pull. The backend's also answers to
// `python`, as far as the chart's `helm test` pod asks it to (cmd/standin).
func nodeImages(bin, moduleDir string) ([]nodeImage, error) {
	refs, err := chartImages(chartDir(moduleDir))
	if err != nil {
		return nil, err
	}
	imgs := []nodeImage{{name: "pause", refs: []string{pauseImage}, binary: filepath.Join(bin, "pause")}}
	for _, svc := range appServices {
		img := nodeImage{name: svc, refs: []string{refs[svc]}, binary: filepath.Join(bin, "standin"), args: []string{"--service", svc}}
		if svc == "backend" {
			img.aliases = []string{"/usr/bin/python"}
		}
		imgs = append(imgs, img)
	}
	return imgs, nil
}
