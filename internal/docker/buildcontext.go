package docker

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// contextPlan is what a build sends to the engine: the context folder less
// what its ignore file excludes, and where the Dockerfile is in it.
type contextPlan struct {
	dir        string   // the context folder, symlinks resolved
	excludes   []string // patterns from the ignore file
	ignoreFile string   // the file they came from; empty when there is none
	// dockerfile is the Dockerfile's name in the context as sent. When the
	// Dockerfile lies outside the context, or the ignore file excludes it,
	// its content (hidden) goes in under a name of its own, as the Docker
	// CLI does, with a .dockerignore that has the engine drop it after
	// reading it.
	dockerfile string
	hidden     []byte
}

// planContext finds the context, the Dockerfile and the ignore file, the
// way `docker build` does, with BuildKit's rule that <Dockerfile>.dockerignore
// beside the Dockerfile wins over the context's .dockerignore.
func planContext(contextDir, dockerfile string) (contextPlan, error) {
	if contextDir == "" {
		return contextPlan{}, errors.New("no build context folder given")
	}
	abs, err := filepath.Abs(contextDir)
	if err != nil {
		return contextPlan{}, err
	}
	dir, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return contextPlan{}, fmt.Errorf("build context %s: %w", contextDir, err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return contextPlan{}, fmt.Errorf("build context %s is not a folder", contextDir)
	}

	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	dfPath := dockerfile
	if !filepath.IsAbs(dfPath) {
		dfPath = filepath.Join(dir, dfPath)
	}
	dfReal, err := filepath.EvalSymlinks(dfPath)
	if err == nil {
		var st os.FileInfo
		if st, err = os.Stat(dfReal); err == nil && !st.Mode().IsRegular() {
			err = errors.New("not a file")
		}
	}
	if err != nil {
		if filepath.IsAbs(dockerfile) {
			return contextPlan{}, fmt.Errorf("no Dockerfile at %s", dockerfile)
		}
		return contextPlan{}, fmt.Errorf("no %s in %s: name the folder that holds the app's Dockerfile", dockerfile, contextDir)
	}

	p := contextPlan{dir: dir}
	for _, f := range []string{dfPath + ".dockerignore", filepath.Join(dir, ".dockerignore")} {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			p.excludes, err = ignorefile.ReadAll(bytes.NewReader(data))
		}
		if err != nil {
			return contextPlan{}, fmt.Errorf("reading %s: %w", f, err)
		}
		p.ignoreFile = f
		break
	}
	pm, err := patternmatcher.New(p.excludes)
	if err != nil {
		return contextPlan{}, fmt.Errorf("%s: %w", p.ignoreFile, err)
	}

	rel, err := filepath.Rel(dir, dfReal)
	inside := err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	if inside {
		excluded, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			return contextPlan{}, fmt.Errorf("%s: %w", p.ignoreFile, err)
		}
		if !excluded {
			p.dockerfile = filepath.ToSlash(rel)
			return p, nil
		}
	}
	if p.hidden, err = os.ReadFile(dfReal); err != nil {
		return contextPlan{}, err
	}
	suffix := make([]byte, 10)
	_, _ = rand.Read(suffix)
	p.dockerfile = ".dockerfile." + hex.EncodeToString(suffix)
	return p, nil
}

// write streams the context as a tar archive. The walk is the one Docker's
// archive package makes for `docker build`: a path is left out when the
// patterns match it (later patterns win, "!" brings a path back), and an
// excluded folder is not even entered unless an exception pattern could
// bring back something inside it.
func (p contextPlan) write(w io.Writer) error {
	pm, err := patternmatcher.New(p.excludes)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	type parent struct {
		rel  string
		info patternmatcher.MatchInfo
	}
	var parents []parent
	sep := string(filepath.Separator)
	err = filepath.WalkDir(p.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(p.dir, path)
		if err != nil || rel == "." {
			return err
		}
		for len(parents) > 0 && !strings.HasPrefix(rel, parents[len(parents)-1].rel+sep) {
			parents = parents[:len(parents)-1]
		}
		var parentInfo patternmatcher.MatchInfo
		if len(parents) > 0 {
			parentInfo = parents[len(parents)-1].info
		}
		skip, info, err := pm.MatchesUsingParentResults(rel, parentInfo)
		if err != nil {
			return err
		}
		if d.IsDir() {
			parents = append(parents, parent{rel: rel, info: info})
		}
		if skip {
			if d.IsDir() && !mayBringBack(pm, rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if p.hidden != nil && rel == ".dockerignore" {
			return nil // replaced below
		}
		return addToTar(tw, path, rel, d)
	})
	if err != nil {
		return err
	}
	if p.hidden != nil {
		now := time.Now().Truncate(time.Second)
		drop := []byte(".dockerignore\n" + p.dockerfile + "\n")
		for _, f := range []struct {
			name string
			data []byte
		}{{p.dockerfile, p.hidden}, {".dockerignore", drop}} {
			hdr := &tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.data)), ModTime: now, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := tw.Write(f.data); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

// mayBringBack says whether an exception pattern ("!dir/keep") could match
// something inside the excluded folder dir.
func mayBringBack(pm *patternmatcher.PatternMatcher, dir string) bool {
	if !pm.Exclusions() {
		return false
	}
	sep := string(filepath.Separator)
	for _, pat := range pm.Patterns() {
		if pat.Exclusion() && strings.HasPrefix(pat.String()+sep, dir+sep) {
			return true
		}
	}
	return false
}

// addToTar writes one file, folder or symbolic link, owned by root as the
// Docker CLI sends them. Sockets, devices and pipes have no place in a
// build context.
func addToTar(tw *tar.Writer, path, rel string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	var link string
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	case info.Mode().IsRegular(), info.IsDir():
	default:
		return nil
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = filepath.ToSlash(rel)
	if info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	hdr.Format = tar.FormatPAX
	hdr.ModTime = hdr.ModTime.Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	if runtime.GOOS == "windows" {
		// Windows has no execute bit: mark everything executable, and
		// nothing writable by group or others, as the Docker CLI does.
		hdr.Mode = hdr.Mode&^0o777 | (hdr.Mode&0o755 | 0o111)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(tw, f, hdr.Size)
	return err
}
