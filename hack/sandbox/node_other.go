//go:build !linux

package main

import (
	"context"
	"errors"
	"io"
)

var errNodeLinuxOnly = errors.New("the sandbox's real node runs on Linux only (its kubelet, containerd and namespaces); without --node the sandbox's nodes are kwok's")

func (s *sandbox) startNode(context.Context, *State) error { return errNodeLinuxOnly }

func (s *sandbox) removeNode() error { return nil }

func runNodeInit([]string) error { return errNodeLinuxOnly }

func ensureNodeBuilt(context.Context, string, string, io.Writer) (string, error) {
	return "", errNodeLinuxOnly
}
