// Package docker talks to the Docker Engine API: the images TaskMaster runs
// from, their sizes, and building them. It returns this project's own types,
// never the API's, and prints nothing.
package docker

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// Client is a connection to one Docker engine.
type Client struct {
	api  *client.Client
	host string
}

// Image is one tagged image in the engine.
type Image struct {
	Repository string
	Tag        string
	ID         string
	Size       int64 // bytes
	Created    time.Time
}

// Ref is the image's repository:tag.
func (i Image) Ref() string { return i.Repository + ":" + i.Tag }

// New connects to the engine at host (unix:///..., tcp://..., npipe://...),
// or, when host is empty, where DOCKER_HOST or the platform's default says.
// The API version is negotiated on first use, so Debian's Engine 20.10 and
// Docker Desktop's current one both work.
func New(host string) (*Client, error) {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	api, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker engine settings: %w", err)
	}
	return &Client{api: api, host: api.DaemonHost()}, nil
}

// Host is the address of the engine.
func (c *Client) Host() string { return c.host }

// Close releases the connection.
func (c *Client) Close() error { return c.api.Close() }

// Ping checks that the engine answers, and returns the API version agreed.
func (c *Client) Ping(ctx context.Context) (string, error) {
	res, err := c.api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		return "", c.unreachable(err)
	}
	return res.APIVersion, nil
}

func (c *Client) unreachable(err error) error {
	if client.IsErrConnectionFailed(err) {
		return fmt.Errorf("docker engine not reachable at %s: is Docker Desktop running? (%w)", c.host, err)
	}
	return err
}

// Images lists the tagged images of one repository (for example
// "taskmaster-backend"), newest first as the engine returns them.
func (c *Client) Images(ctx context.Context, repository string) ([]Image, error) {
	res, err := c.api.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("reference", repository)})
	if err != nil {
		return nil, c.unreachable(err)
	}
	var out []Image
	for _, s := range res.Items {
		for _, ref := range s.RepoTags {
			repo, tag, ok := splitRef(ref)
			if !ok || repo != repository {
				continue
			}
			out = append(out, Image{Repository: repo, Tag: tag, ID: s.ID, Size: s.Size, Created: time.Unix(s.Created, 0)})
		}
	}
	return out, nil
}

// splitRef splits "repo:tag" at the last colon that is not part of a
// registry's host:port.
func splitRef(ref string) (repo, tag string, ok bool) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return "", "", false
	}
	return ref[:i], ref[i+1:], true
}

// BuildRequest says what to build.
type BuildRequest struct {
	ContextDir string // folder sent to the engine as the build context
	Dockerfile string // path inside ContextDir; "Dockerfile" when empty
	Tag        string // repository:tag to give the result
}

// Build builds an image and returns its ID. Each line of the engine's
// output is sent on progress (when not nil) as it arrives; the caller must
// keep reading it until Build returns.
func (c *Client) Build(ctx context.Context, req BuildRequest, progress chan<- string) (string, error) {
	if req.Dockerfile == "" {
		req.Dockerfile = "Dockerfile"
	}
	if _, err := os.Stat(filepath.Join(req.ContextDir, req.Dockerfile)); err != nil {
		return "", fmt.Errorf("no %s in %s: name the folder that holds the app's Dockerfile", req.Dockerfile, req.ContextDir)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarDir(req.ContextDir, pw)) }()
	defer pr.Close()

	res, err := c.api.ImageBuild(ctx, pr, client.ImageBuildOptions{
		Tags: []string{req.Tag}, Dockerfile: req.Dockerfile, Remove: true, ForceRemove: true,
	})
	if err != nil {
		return "", c.unreachable(err)
	}
	defer res.Body.Close()
	return readBuildStream(ctx, res.Body, progress)
}

// readBuildStream follows the engine's JSON message stream to its end and
// returns the built image's ID, or the error the build reported.
func readBuildStream(ctx context.Context, r io.Reader, progress chan<- string) (string, error) {
	dec := json.NewDecoder(r)
	var id string
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("reading build output: %w", err)
		}
		if m.Error != nil {
			return "", fmt.Errorf("build failed: %s", strings.TrimSpace(m.Error.Message))
		}
		if m.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
			}
		}
		if line := strings.TrimRight(m.Stream, "\n"); line != "" && progress != nil {
			select {
			case progress <- line:
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
	}
	if id == "" {
		return "", errors.New("build ended without an image ID")
	}
	return id, nil
}

// Remove deletes one tag (and the image, when no other tag holds it).
func (c *Client) Remove(ctx context.Context, ref string) error {
	if _, err := c.api.ImageRemove(ctx, ref, client.ImageRemoveOptions{}); err != nil {
		return c.unreachable(err)
	}
	return nil
}

// tarDir writes dir as a tar stream: the build context.
func tarDir(dir string, w io.Writer) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() && !info.IsDir() {
			return nil // sockets, links and devices have no place in a build context
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
