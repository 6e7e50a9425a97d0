// Package docker talks to the Docker Engine API: the images TaskMaster runs
// from, their sizes against their budgets, and building them. It returns
// this project's own types, never the API's, and prints nothing.
package docker

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Client is a connection to one Docker engine.
type Client struct {
	api      *client.Client
	endpoint Endpoint
}

// New connects to the engine at host (unix:///..., tcp://..., npipe://...),
// or, when host is empty, where ResolveHost finds it for this user. The API
// version is negotiated on first use, so Debian's Engine 20.10 (API 1.41)
// and Docker Desktop's current one both work. Nothing is sent yet: Ping
// says whether the engine answers.
func New(host string) (*Client, error) {
	ep := Endpoint{Host: host}
	if host == "" {
		var err error
		if ep, err = ResolveHost(SystemHostEnv()); err != nil {
			return nil, err
		}
	}
	return Connect(ep)
}

// Connect is New for an endpoint already resolved.
func Connect(ep Endpoint) (*Client, error) {
	var opts []client.Opt
	if ep.From == fromDockerHost {
		// DOCKER_CERT_PATH and DOCKER_TLS_VERIFY go with DOCKER_HOST, as
		// in the Docker CLI; a context carries its own TLS settings.
		opts = append(opts, client.WithTLSClientConfigFromEnv())
	}
	opts = append(opts, client.WithHost(ep.Host), client.WithAPIVersionFromEnv(), client.WithAPIVersionNegotiation())
	api, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker engine address %q: %w", ep.Host, err)
	}
	return &Client{api: api, endpoint: ep}, nil
}

// Host is the address of the engine.
func (c *Client) Host() string { return c.endpoint.Host }

// Endpoint is the address of the engine and where it came from.
func (c *Client) Endpoint() Endpoint { return c.endpoint }

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

// UnreachableError says that no engine answered where one was expected.
type UnreachableError struct {
	Endpoint Endpoint
	Err      error // the connection's own error
	// During is the work the engine went away in the middle of ("the
	// build"), and Last what that work reported as it ended; empty when it
	// did not answer from the start.
	During string
	Last   error
}

func (e *UnreachableError) Error() string {
	where := e.Endpoint.Host
	if e.Endpoint.From != "" && e.Endpoint.From != e.Endpoint.Host {
		where += " (from " + e.Endpoint.From + ")"
	}
	if strings.Contains(e.Err.Error(), "permission denied") {
		return "docker engine at " + where + " refused the connection (permission denied): add your user to the docker group and log in again, or start Docker Desktop"
	}
	if e.During != "" {
		msg := "docker engine at " + where + " stopped during " + e.During + " and is not reachable: is Docker Desktop running?"
		if e.Last != nil {
			msg += " (" + e.During + " ended with: " + e.Last.Error() + ")"
		}
		return msg
	}
	return "docker engine not reachable at " + where + ": is Docker Desktop running?"
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// IsUnreachable reports whether err means that the engine did not answer.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}

func (c *Client) unreachable(err error) error {
	if client.IsErrConnectionFailed(err) {
		return &UnreachableError{Endpoint: c.endpoint, Err: err}
	}
	return err
}

// Remove deletes one tag, and the image with it when no other tag holds
// it (untagged parents go too, as with `docker rmi`).
func (c *Client) Remove(ctx context.Context, ref string) error {
	_, err := c.api.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true})
	switch {
	case err == nil:
		return nil
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("no image %s to remove: %w", ref, err)
	}
	return c.unreachable(err)
}
