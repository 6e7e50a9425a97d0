package helm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/action"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
)

// Status is the release's latest revision. The error wraps ErrNotInstalled
// when there is none.
func (c *Client) Status(ctx context.Context) (_ *Release, err error) {
	defer func() { err = c.explain("reading the release", err) }()
	rel, err := cancellable(ctx, func() (*releasev1.Release, error) {
		cfg, err := c.newConfig()
		if err != nil {
			return nil, err
		}
		return c.last(cfg)
	})
	if err != nil {
		return nil, err
	}
	return toRelease(rel), nil
}

// History is every revision of the release, oldest first; empty when it is
// not installed.
func (c *Client) History(ctx context.Context) (_ []Release, err error) {
	defer func() { err = c.explain("reading the release history", err) }()
	return cancellable(ctx, func() ([]Release, error) {
		cfg, err := c.newConfig()
		if err != nil {
			return nil, err
		}
		rels, err := c.history(cfg)
		if err != nil {
			if errors.Is(err, ErrNotInstalled) {
				return []Release{}, nil
			}
			return nil, err
		}
		out := make([]Release, 0, len(rels))
		for _, r := range rels {
			out = append(out, *toRelease(r))
		}
		return out, nil
	})
}

// Values are a revision's values (revision 0: the latest): the ones the user
// supplied, or with all, every value the templates saw (`helm get values
// --all`). Values under secrets.values are shown as "(hidden)".
func (c *Client) Values(ctx context.Context, revision int, all bool) (map[string]any, error) {
	rel, err := c.revision(ctx, revision)
	if err != nil {
		return nil, err
	}
	vals := rel.Config
	if all {
		vals = computedValues(rel)
	}
	if vals == nil {
		vals = map[string]any{}
	}
	return maskValueSecrets(vals), nil
}

// Manifest is the manifest a revision applied (revision 0: the latest), its
// hooks (the `helm test` pod) after it. Secret values are masked.
func (c *Client) Manifest(ctx context.Context, revision int) (string, error) {
	rel, err := c.revision(ctx, revision)
	if err != nil {
		return "", err
	}
	return MaskSecrets(fullManifest(rel))
}

// Notes are a revision's rendered NOTES.txt (revision 0: the latest).
func (c *Client) Notes(ctx context.Context, revision int) (string, error) {
	rel, err := c.revision(ctx, revision)
	if err != nil {
		return "", err
	}
	if rel.Info == nil {
		return "", nil
	}
	return rel.Info.Notes, nil
}

func (c *Client) revision(ctx context.Context, revision int) (*releasev1.Release, error) {
	if revision < 0 {
		return nil, fmt.Errorf("revision %d: revisions count from 1", revision)
	}
	return cancellable(ctx, func() (*releasev1.Release, error) {
		cfg, err := c.newConfig()
		if err != nil {
			return nil, err
		}
		if revision == 0 {
			return c.last(cfg)
		}
		return c.get(cfg, revision)
	})
}

// last is the release's latest revision.
func (c *Client) last(cfg *action.Configuration) (*releasev1.Release, error) {
	rels, err := c.history(cfg)
	if err != nil {
		return nil, err
	}
	return rels[len(rels)-1], nil
}

func (c *Client) get(cfg *action.Configuration, revision int) (*releasev1.Release, error) {
	r, err := cfg.Releases.Get(c.release, revision)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		hist, herr := c.history(cfg)
		if herr != nil {
			return nil, c.storageErr(err)
		}
		return nil, fmt.Errorf("release %s has no revision %d (it has %s)", c.release, revision, revisionRange(hist))
	}
	if err != nil {
		return nil, c.storageErr(err)
	}
	return asV1(r)
}

// history is every revision, oldest first.
func (c *Client) history(cfg *action.Configuration) ([]*releasev1.Release, error) {
	list, err := cfg.Releases.History(c.release)
	if err != nil {
		return nil, c.storageErr(err)
	}
	rels, err := asV1List(list)
	if err != nil {
		return nil, err
	}
	if len(rels) == 0 {
		return nil, c.storageErr(driver.ErrReleaseNotFound)
	}
	slices.SortFunc(rels, func(a, b *releasev1.Release) int { return a.Version - b.Version })
	return rels, nil
}

// running is the revision whose objects run now: the latest when it is
// deployed, else the last one deployed, else (nothing ever deployed, or all
// superseded by failures) the latest.
func (c *Client) running(cfg *action.Configuration) (*releasev1.Release, error) {
	last, err := c.last(cfg)
	if err != nil {
		return nil, err
	}
	if last.Info.Status == rcommon.StatusDeployed {
		return last, nil
	}
	if d, err := cfg.Releases.Deployed(c.release); err == nil {
		return asV1(d)
	}
	return last, nil
}

func (c *Client) storageErr(err error) error {
	if errors.Is(err, driver.ErrReleaseNotFound) || errors.Is(err, driver.ErrNoDeployedReleases) {
		return fmt.Errorf("release %s in namespace %s: %w", c.release, c.namespace, ErrNotInstalled)
	}
	return fmt.Errorf("reading release %s from namespace %s: %w", c.release, c.namespace, err)
}

func revisionRange(rels []*releasev1.Release) string {
	if len(rels) == 0 {
		return "none"
	}
	if len(rels) == 1 {
		return fmt.Sprintf("revision %d only", rels[0].Version)
	}
	return fmt.Sprintf("revisions %d to %d", rels[0].Version, rels[len(rels)-1].Version)
}

// fullManifest is a revision's manifest with its hooks' after it, which is
// everything the revision puts in the cluster.
func fullManifest(rel *releasev1.Release) string {
	var b strings.Builder
	b.WriteString(rel.Manifest)
	for _, h := range rel.Hooks {
		if h == nil {
			continue
		}
		b.WriteString("\n---\n")
		b.WriteString(h.Manifest)
	}
	return b.String()
}

// maskValueSecrets returns vals with the chart's secret values (used only
// with secrets.create=true) replaced by "(hidden)". The maps on the way to
// them are copied; vals itself is not changed.
func maskValueSecrets(vals map[string]any) map[string]any {
	secrets, ok := vals["secrets"].(map[string]any)
	if !ok {
		return vals
	}
	values, ok := secrets["values"].(map[string]any)
	if !ok {
		return vals
	}
	maskedValues := make(map[string]any, len(values))
	for k, v := range values {
		if s, isString := v.(string); isString && s == "" {
			maskedValues[k] = v
			continue
		}
		maskedValues[k] = hiddenValue
	}
	maskedSecrets := shallowCopy(secrets)
	maskedSecrets["values"] = maskedValues
	out := shallowCopy(vals)
	out["secrets"] = maskedSecrets
	return out
}

// ChartDefaults are the values and app version of the chart an install
// would use (the built-in chart, or the chart folder), for a form to start
// from. It sends nothing to the cluster.
func (c *Client) ChartDefaults() (values map[string]any, appVersion string, err error) {
	ch, err := c.loadChart()
	if err != nil {
		return nil, "", err
	}
	return ch.Values, ch.Metadata.AppVersion, nil
}
