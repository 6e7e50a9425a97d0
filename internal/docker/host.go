package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Endpoint is where a Docker engine is expected to answer, and why there.
type Endpoint struct {
	Host string // unix:///..., npipe:////./pipe/..., tcp://...
	// From says, for messages, where Host came from: "DOCKER_HOST",
	// `docker context "desktop-linux"`, "Docker Desktop's socket" or
	// "the default socket". Empty when the caller named the host itself.
	From string
}

const fromDockerHost = "DOCKER_HOST"

// HostEnv is everything ResolveHost looks at, so that resolution can be
// tested with a home folder and an operating system made up for the test.
type HostEnv struct {
	Getenv func(string) string // os.Getenv
	Home   string              // the user's home folder
	GOOS   string              // runtime.GOOS
	// Exists says whether something (a socket, usually) is at path;
	// nil means os.Stat.
	Exists func(path string) bool
}

// SystemHostEnv is this process's environment, home folder and platform.
func SystemHostEnv() HostEnv {
	home, _ := os.UserHomeDir()
	return HostEnv{Getenv: os.Getenv, Home: home, GOOS: runtime.GOOS}
}

// ResolveHost finds the engine the way the Docker CLI does: DOCKER_HOST
// first; then the CLI's current context (DOCKER_CONTEXT, else
// currentContext in $DOCKER_CONFIG/config.json or ~/.docker/config.json),
// whose endpoint is in contexts/meta/<sha256 of its name>/meta.json; and
// else the platform's sockets, Docker Desktop's before the system one.
//
// A current context that does not exist is an error rather than a quiet
// fallback: talking to another engine than the one the user chose would
// build and list images somewhere they will never look.
func ResolveHost(e HostEnv) (Endpoint, error) {
	getenv := e.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if h := getenv("DOCKER_HOST"); h != "" {
		return Endpoint{Host: h, From: fromDockerHost}, nil
	}

	configDir := getenv("DOCKER_CONFIG")
	if configDir == "" && e.Home != "" {
		configDir = filepath.Join(e.Home, ".docker")
	}
	name, chosenBy := getenv("DOCKER_CONTEXT"), "DOCKER_CONTEXT"
	if name == "" && configDir != "" {
		var err error
		chosenBy = filepath.Join(configDir, "config.json")
		if name, err = currentContext(chosenBy); err != nil {
			return Endpoint{}, err
		}
	}
	if name != "" && name != "default" {
		host, err := contextHost(configDir, name, chosenBy)
		if err != nil {
			return Endpoint{}, err
		}
		return Endpoint{Host: host, From: fmt.Sprintf("docker context %q", name)}, nil
	}
	return defaultSocket(e), nil
}

// currentContext reads the Docker CLI's current context from its config
// file; no file, or none set, is "" and no error.
func currentContext(configFile string) (string, error) {
	data, err := os.ReadFile(configFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the Docker CLI's settings: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("reading the Docker CLI's settings in %s: %w", configFile, err)
	}
	return cfg.CurrentContext, nil
}

// contextHost reads the docker endpoint of a named context, which the CLI
// stores under the hex SHA-256 of the name.
func contextHost(configDir, name, chosenBy string) (string, error) {
	sum := sha256.Sum256([]byte(name))
	meta := filepath.Join(configDir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json")
	data, err := os.ReadFile(meta)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("docker context %q (chosen in %s) does not exist: pick another with `docker context use`", name, chosenBy)
	}
	if err != nil {
		return "", fmt.Errorf("reading docker context %q: %w", name, err)
	}
	var m struct {
		Endpoints map[string]struct {
			Host string `json:"Host"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("reading docker context %q in %s: %w", name, meta, err)
	}
	host := m.Endpoints["docker"].Host
	if host == "" {
		return "", fmt.Errorf("docker context %q has no Docker endpoint (%s)", name, meta)
	}
	return host, nil
}

// defaultSocket is the first of the platform's usual places that exists,
// or the system's own when none does (so that the error names it).
func defaultSocket(e HostEnv) Endpoint {
	if e.GOOS == "windows" {
		// A named pipe cannot be looked for like a file; Docker Desktop
		// answers on this one when no context says otherwise.
		return Endpoint{Host: "npipe:////./pipe/docker_engine", From: "the default socket"}
	}
	exists := e.Exists
	if exists == nil {
		exists = func(p string) bool { _, err := os.Stat(p); return err == nil }
	}
	desktop := filepath.Join(e.Home, ".docker", "desktop", "docker.sock")
	if e.GOOS == "darwin" {
		desktop = filepath.Join(e.Home, ".docker", "run", "docker.sock")
	}
	if e.Home != "" && exists(desktop) {
		return Endpoint{Host: "unix://" + desktop, From: "Docker Desktop's socket"}
	}
	return Endpoint{Host: "unix:///var/run/docker.sock", From: "the default socket"}
}
