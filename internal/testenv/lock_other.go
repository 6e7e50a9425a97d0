//go:build !unix

package testenv

import "errors"

func lockFile(string) (func(), error) {
	return nil, errors.New("the sandbox runs on Linux and macOS only")
}
