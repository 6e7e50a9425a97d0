# tmtui: the README's two commands are `make demo` and `make test`.

SANDBOX_NAME ?= tmtui-sandbox
# The sandbox's real node (kubelet, containerd: docs/sandbox.md) needs Linux
# and root; elsewhere the sandbox has kwok's simulated node only.
# SANDBOX_NODE= (empty) starts it without the real node.
SANDBOX_NODE ?= $(shell [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] && echo --node)
SANDBOX = cd hack/sandbox && go run . --name $(SANDBOX_NAME) $(SANDBOX_NODE)
# The cross-builds: the two systems test-go does not run on. tmtui's own
# code has no file for one architecture, so linux/arm64 would add a compile
# of every dependency (over four minutes on an empty cache) and no code.
CROSS = windows/amd64 darwin/arm64
# A hung test binary fails at this bound instead of Go's default 10 minutes,
# which the slowest package would otherwise come near; far below CI's 90.
GO_TEST_TIMEOUT ?= 20m
# How many tests of one package run at once. Go's default is one per core
# (two in CI), but the sandbox and tmux tests mostly wait on the cluster or
# the screen, each in its own namespace and tmux server.
GO_TEST_PARALLEL ?= 4

.PHONY: demo run build install test fmt-check vet test-go test-sandbox cross fuzz chaos bench \
	screens sandbox-up sandbox-down sandbox-status

## demo: open tmtui on your cluster, or on the local sandbox when none answers
demo: build
	@SANDBOX_NODE='$(SANDBOX_NODE)' bash hack/demo.sh

## run: tmtui on the current kube context (ARGS="--context x -n y")
run: build
	./bin/tmtui $(ARGS)

build:
	go build -o bin/tmtui ./cmd/tmtui

install:
	go install ./cmd/tmtui

## test: formatting, vet, every test (the sandbox and Docker ones too, with -race), cross-builds,
## then a summary of where the time went and what failed (hack/test.sh)
test:
	@bash hack/test.sh

fmt-check:
	@files=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$files" ]; then echo "not gofmt-formatted (run gofmt -w):"; echo "$$files"; exit 1; fi

# go vet here runs every analyzer on the main module, tests included, so
# test-go's go test does not vet again (-vet=off): that second pass
# type-checked every dependency once more, on its -race build. It vets the
# -race build (-race), whose compiled dependencies test-go then reuses: one
# compile of every dependency, not a plain one for vet and a -race one for
# the tests. (The helm CLIs, hack/helmcli.sh, stay plain builds: make bench
# times them.) The sandbox module is vetted by its own go test
# (test-sandbox, -vet=all), on the -race build it compiles anyway, not on a
# plain build of its own.
vet:
	go vet -race ./...

# The end-to-end package (tmux sessions, private control planes, Docker
# builds) runs after the others, not beside internal/helm: side by side on
# two cores each took twice as long as alone, for the same total
# (docs/testing.md). Both parts run, whether or not the first fails.
# -ldflags=-w: test binaries without DWARF (stack traces and race reports
# do not use it) link in half the time, and every package links one.
GO_TEST = go test -race -vet=off -ldflags=-w -count=1 -timeout $(GO_TEST_TIMEOUT) -parallel $(GO_TEST_PARALLEL)
E2E_PKG = github.com/taskmaster-ai/tmtui/cmd/tmtui
test-go:
	bash hack/with-test-env.sh bash -c 'rc=0; $(GO_TEST) $$(go list ./... | grep -vx $(E2E_PKG)) || rc=1; $(GO_TEST) $(E2E_PKG) || rc=1; exit $$rc'

# The sandbox tool's own tests start and stop a cluster of their own; on
# Linux one with a real node, built (once) before the tests' clocks start.
test-sandbox:
	cd hack/sandbox && go run . $(if $(filter Linux,$(shell uname)),--node) build
	cd hack/sandbox && go test -race -vet=all -ldflags=-w -count=1 -timeout $(GO_TEST_TIMEOUT) ./...

# A cross-build proves that tmtui compiles and links for the system; it is
# not shipped, so it skips the optimiser and DWARF (-N -l, -w): the same
# files, type checks and link, in three quarters of the time.
cross:
	@for p in $(CROSS); do \
		echo "go build ./cmd/tmtui for $$p"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} go build -gcflags=all='-N -l' -ldflags=-w -o /dev/null ./cmd/tmtui || exit 1; \
	done

## chaos: the fault, bad-input and security suite in full (TMTUI_CHAOS=1: five API server
## restarts, ten SIGKILL moments...), then docs/reliability.md rewritten from what it recorded.
## make test runs the same tests with fewer repetitions, records nothing, and checks the doc's shape.
CHAOS_RUN = ^(TestChaos|TestSecurity|TestBadInput|TestBadNamespace|TestMoreBadSecretForms|TestValuesOverridesThatBreak|TestChartFoldersThatAreNot|TestTmuxPanic|TestTmuxSignals|TestTmuxDumb|TestTmuxFailingUpgrades)
CHAOS_PKGS = ./cmd/tmtui ./internal/k8s ./internal/helm ./internal/docker ./internal/preflight
chaos:
	@dir=$$(mktemp -d); \
	TMTUI_CHAOS=1 TMTUI_RELIABILITY_DIR=$$dir bash hack/with-test-env.sh \
		go test -count=1 -timeout 30m -run '$(CHAOS_RUN)' $(CHAOS_PKGS); rc=$$?; \
	go run ./hack/reliability -dir $$dir -out docs/reliability.md -mode "TMTUI_CHAOS=1, go test without -race"; rc2=$$?; \
	rm -rf $$dir; [ $$rc = 0 ] && [ $$rc2 = 0 ]

## fuzz: every fuzz target for FUZZTIME each (their seed corpora run in make test)
FUZZTIME ?= 1m
fuzz:
	bash hack/fuzz.sh $(FUZZTIME)

## bench: tmtui beside k9s and the helm CLI on a sandbox of its own; rewrites docs/benchmarks.md
## (about 15 minutes; BENCH_QUICK=1 for a short run that writes nothing; BENCH_ARGS="-note ..." for more)
bench:
	go run ./hack/bench $(BENCH_ARGS)

## screens: rewrite docs/screens/ from the newcomer path, driven through tmux on the sandbox
## (make test captures the same screens into a temporary folder and leaves docs/screens/ alone)
screens:
	TMTUI_SCREENS_DIR=$(CURDIR)/docs/screens bash hack/with-test-env.sh \
		go test -count=1 -timeout 15m -run '^TestTmuxNewcomerPath$$' ./cmd/tmtui

## sandbox-up / sandbox-down / sandbox-status: the local test cluster
sandbox-up:
	$(SANDBOX) up

sandbox-down:
	$(SANDBOX) down

sandbox-status:
	$(SANDBOX) status
