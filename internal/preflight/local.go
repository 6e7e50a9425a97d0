package preflight

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/docker"
)

// ImageLister answers whether the local container engine holds an image.
// DockerImages adapts internal/docker to it; tests may pass their own.
type ImageLister interface {
	HasImage(ctx context.Context, ref string) (bool, error)
}

// DockerImages is an ImageLister over a Docker engine.
func DockerImages(c *docker.Client) ImageLister { return dockerImages{c} }

type dockerImages struct{ c *docker.Client }

func (d dockerImages) HasImage(ctx context.Context, ref string) (bool, error) {
	repo, tag := splitImageRef(ref)
	images, err := d.c.Images(ctx, repo)
	if err != nil {
		return false, err
	}
	for _, img := range images {
		if img.Repository == repo && img.Tag == tag {
			return true, nil
		}
	}
	return false, nil
}

// splitImageRef splits repo:tag at the last colon that is not part of a
// registry's host:port; a ref without a tag means "latest", as for docker.
func splitImageRef(ref string) (repo, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}

// portTaken says whether a program on this machine holds localhost:port.
// A connection that succeeds proves it; so does failing to listen there
// (on macOS and Windows a listener on 0.0.0.0 does not stop one on
// 127.0.0.1, hence the dial first).
func portTaken(ctx context.Context, port int) (bool, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	dialer := net.Dialer{Timeout: 500 * time.Millisecond}
	if conn, err := dialer.DialContext(ctx, "tcp", addr); err == nil {
		conn.Close()
		return true, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return true, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return false, ln.Close()
}
