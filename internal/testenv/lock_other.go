//go:build !unix

package testenv

import "errors"

func lockFile(string) (func(), error) {
	return nil, errors.New("the sandbox runs on Linux and macOS only")
}

// buildLock does not lock where flock is missing: a tool's build is still
// renamed into place whole, so parallel builds cost time but never break it.
func buildLock(string) (func(), error) { return func() {}, nil }
