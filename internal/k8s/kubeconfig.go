package k8s

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// loadKubeconfig reads and merges kubeconfig files exactly as kubectl does: the
// explicit path if given, else every file in KUBECONFIG, else ~/.kube/config.
func loadKubeconfig(explicitPath string) (*clientcmd.ClientConfigLoadingRules, *clientcmdapi.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = explicitPath

	cfg, err := rules.Load()
	if err != nil {
		return nil, nil, diagnoseLoadError(rules, err)
	}
	if len(cfg.Contexts) == 0 {
		if explicitPath != "" {
			return nil, nil, &ConnectError{
				Kind:   KindConfigFile,
				File:   explicitPath,
				Reason: fmt.Sprintf("kubeconfig %s defines no contexts", explicitPath),
				Hint:   "point --kubeconfig at the file your cluster wrote (Docker Desktop: ~/.kube/config)",
			}
		}
		return nil, nil, noConfigError(rules.GetLoadingPrecedence())
	}
	return rules, cfg, nil
}

// diagnoseLoadError names the file at fault: client-go reports failures of
// merged files as one aggregate, and a path the user gave explicitly as a bare
// stat error.
func diagnoseLoadError(rules *clientcmd.ClientConfigLoadingRules, loadErr error) error {
	for _, file := range rules.GetLoadingPrecedence() {
		data, err := os.ReadFile(file)
		if err != nil {
			// Missing files in KUBECONFIG are skipped by kubectl too; only a
			// missing explicit path is an error.
			if errors.Is(err, os.ErrNotExist) && !rules.IsExplicitFile() {
				continue
			}
			return unreadableFileError(file, err)
		}
		if _, err := clientcmd.Load(data); err != nil {
			return corruptFileError(file, err)
		}
	}
	return &ConnectError{
		Kind:   KindConfigFile,
		Reason: "cannot load the Kubernetes configuration (" + oneLine(loadErr) + ")",
		Hint:   "check the files named in KUBECONFIG, or pass one with --kubeconfig",
		Err:    loadErr,
	}
}

// chooseContext returns the context to use: the one asked for, else the
// kubeconfig's current context.
func chooseContext(cfg *clientcmdapi.Config, requested string) (string, error) {
	name := requested
	if name == "" {
		name = cfg.CurrentContext
	}
	available := slices.Sorted(maps.Keys(cfg.Contexts))
	if name == "" {
		return "", &ConnectError{
			Kind:   KindContextNotFound,
			Reason: "the kubeconfig has no current context",
			Hint:   "choose one with --context: " + strings.Join(available, ", "),
		}
	}
	if _, ok := cfg.Contexts[name]; !ok {
		return "", &ConnectError{
			Kind:    KindContextNotFound,
			Context: name,
			Reason:  fmt.Sprintf("context %q not found in the kubeconfig", name),
			Hint:    "available contexts: " + strings.Join(available, ", "),
		}
	}
	return name, nil
}

// contextProblem finds the broken references that client-go would report as
// "no configuration has been provided, try setting KUBERNETES_MASTER", advice
// that helps nobody here. It returns "" when the context looks usable.
func contextProblem(cfg *clientcmdapi.Config, name string) string {
	c := cfg.Contexts[name]
	cluster, ok := cfg.Clusters[c.Cluster]
	switch {
	case c.Cluster == "":
		return "it names no cluster"
	case !ok:
		return fmt.Sprintf("it names cluster %q, which no kubeconfig file defines", c.Cluster)
	case cluster.Server == "":
		return fmt.Sprintf("cluster %q has no server address", c.Cluster)
	}
	if _, ok := cfg.AuthInfos[c.AuthInfo]; c.AuthInfo != "" && !ok {
		return fmt.Sprintf("it names user %q, which no kubeconfig file defines", c.AuthInfo)
	}
	return ""
}

// DefaultNamespace is where tmtui deploys the app when neither --namespace nor
// the kubeconfig context names one. It is not "default" on purpose: the app's
// objects stay together, and uninstalling it cannot touch anything else.
const DefaultNamespace = "taskmaster"

func chooseNamespace(requested string, ctx *clientcmdapi.Context) string {
	switch {
	case requested != "":
		return requested
	case ctx != nil && ctx.Namespace != "":
		return ctx.Namespace
	default:
		return DefaultNamespace
	}
}
