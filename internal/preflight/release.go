package preflight

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Helm's storage, as its Secret driver writes it (helm.sh/helm/v4
// pkg/storage/driver/secrets.go): one Secret per revision, of this type,
// labelled owner=helm, name=<release>, status=<status>, version=<revision>,
// holding the release as base64 of gzipped JSON under "release". Reading it
// here keeps preflight free of the Helm SDK and of tmtui's helm package.
const (
	helmReleaseType = corev1.SecretType("helm.sh/release.v1")
	helmReleaseKey  = "release"
)

// Release states as Helm names them.
const (
	ReleaseNone            = ""
	ReleaseDeployed        = "deployed"
	ReleaseFailed          = "failed"
	ReleasePendingInstall  = "pending-install"
	ReleasePendingUpgrade  = "pending-upgrade"
	ReleasePendingRollback = "pending-rollback"
	ReleaseUninstalling    = "uninstalling"
	ReleaseUninstalled     = "uninstalled"
	ReleaseSuperseded      = "superseded"
)

// ReleaseInfo is a release's current revision, as Helm's storage records it.
type ReleaseInfo struct {
	Name      string
	Namespace string
	Revision  int    // 0 when there is no release
	Status    string // one of the Release* states; ReleaseNone when there is no release

	values     map[string]any // chart defaults with the release's values over them; nil when unreadable
	appVersion string
}

// Exists says whether Helm has any record of the release.
func (r ReleaseInfo) Exists() bool { return r.Revision > 0 }

// Pending says whether the release is stuck (or busy) in a pending-* state.
func (r ReleaseInfo) Pending() bool { return strings.HasPrefix(r.Status, "pending-") }

// ReadRelease finds the current revision of release name in namespace: the
// highest version among Helm's storage Secrets. No release is not an error.
func ReadRelease(ctx context.Context, cs kubernetes.Interface, namespace, name string) (ReleaseInfo, error) {
	info := ReleaseInfo{Name: name, Namespace: namespace}
	list, err := cs.CoreV1().Secrets(namespace).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,name=" + name})
	if err != nil {
		return info, fmt.Errorf("reading Helm's records of release %s in namespace %s: %w", name, namespace, err)
	}
	var current *corev1.Secret
	for i := range list.Items {
		s := &list.Items[i]
		if s.Type != helmReleaseType {
			continue
		}
		v, err := strconv.Atoi(s.Labels["version"])
		if err != nil || v <= info.Revision {
			continue
		}
		info.Revision, info.Status, current = v, s.Labels["status"], s
	}
	if current != nil {
		// The values are a convenience (which images and ports the release
		// uses); a record that does not decode still has its state.
		info.values, info.appVersion, _ = decodeReleaseValues(current.Data[helmReleaseKey])
	}
	return info, nil
}

// helmRecord is the part of Helm's stored release that preflight reads.
type helmRecord struct {
	Chart struct {
		Metadata struct {
			AppVersion string `json:"appVersion"`
		} `json:"metadata"`
		Values map[string]any `json:"values"`
	} `json:"chart"`
	Config map[string]any `json:"config"`
}

func decodeReleaseValues(data []byte) (map[string]any, string, error) {
	raw, err := base64.StdEncoding.DecodeString(string(data))
	if err != nil {
		return nil, "", err
	}
	// Helm 3.0 stored plain JSON; gzip came later.
	if bytes.HasPrefix(raw, []byte{0x1f, 0x8b, 0x08}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, "", err
		}
		// A release record is at most 1 MiB (the size limit of a Secret);
		// bound what is inflated all the same.
		raw, err = io.ReadAll(io.LimitReader(zr, 64<<20))
		if err != nil {
			return nil, "", err
		}
	}
	var rec helmRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, "", err
	}
	return mergeValues(rec.Chart.Values, rec.Config), rec.Chart.Metadata.AppVersion, nil
}

// mergeValues lays override over base, map by map, as Helm coalesces a
// release's values over its chart's defaults.
func mergeValues(base, override map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if bm, ok := out[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				out[k] = mergeValues(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}
