package helm

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"sigs.k8s.io/yaml"
)

// ObjectKey names one Kubernetes object of a manifest.
type ObjectKey struct {
	Kind      string
	Namespace string
	Name      string
}

func (k ObjectKey) String() string {
	if k.Namespace == "" {
		return k.Kind + "/" + k.Name
	}
	return k.Kind + "/" + k.Namespace + "/" + k.Name
}

// Change says what happens to an object.
type Change string

// The changes an object can undergo.
const (
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
)

// ObjectDiff is one object that differs between two manifests.
type ObjectDiff struct {
	Key    ObjectKey
	Change Change
	// Hook says the object is a Helm hook (such as the `helm test` pod): it
	// is created when its hook runs, not by the install or upgrade itself.
	Hook bool
	// Unified is a unified diff of the object's YAML (keys sorted, comments
	// dropped). An added or removed object is shown whole. The values of a
	// Secret's data and stringData never appear: each is "(hidden)", or
	// "(hidden, changed)" where the value differs.
	Unified string
}

// ManifestDiff is what an operation would change, object by object.
type ManifestDiff struct {
	Objects   []ObjectDiff // sorted by kind, namespace, name
	Unchanged int          // how many objects stay as they are
}

// Empty says nothing would change.
func (d ManifestDiff) Empty() bool { return len(d.Objects) == 0 }

// Find returns the difference for the object of that kind and name, nil
// when it does not change.
func (d ManifestDiff) Find(kind, name string) *ObjectDiff {
	for i := range d.Objects {
		if d.Objects[i].Key.Kind == kind && d.Objects[i].Key.Name == name {
			return &d.Objects[i]
		}
	}
	return nil
}

// Summary is one line: "2 changed, 1 added, 0 removed, 5 unchanged".
func (d ManifestDiff) Summary() string {
	n := map[Change]int{}
	for _, o := range d.Objects {
		n[o.Change]++
	}
	return fmt.Sprintf("%d changed, %d added, %d removed, %d unchanged", n[Changed], n[Added], n[Removed], d.Unchanged)
}

// String is the whole diff as text, object after object.
func (d ManifestDiff) String() string {
	if d.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	for _, o := range d.Objects {
		hook := ""
		if o.Hook {
			hook = " (hook)"
		}
		fmt.Fprintf(&b, "%s %s%s\n%s", o.Change, o.Key, hook, o.Unified)
		if !strings.HasSuffix(o.Unified, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// manifestObject is one document of a manifest, decoded.
type manifestObject struct {
	key  ObjectKey
	hook bool
	obj  map[string]any
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// parseManifest splits a manifest into its objects, keyed by kind,
// namespace (defaultNamespace when the object names none) and name. Empty
// documents (a template that rendered nothing) are skipped.
func parseManifest(manifest, defaultNamespace string) (map[ObjectKey]manifestObject, error) {
	out := map[ObjectKey]manifestObject{}
	for i, doc := range docSeparator.Split(manifest, -1) {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			return nil, fmt.Errorf("manifest document %d: %w", i+1, err)
		}
		if len(obj) == 0 {
			continue
		}
		kind, _ := obj["kind"].(string)
		name, _ := stringAt(obj, "metadata", "name")
		ns, _ := stringAt(obj, "metadata", "namespace")
		if kind == "" || name == "" {
			return nil, fmt.Errorf("manifest document %d has no kind or metadata.name", i+1)
		}
		if ns == "" {
			ns = defaultNamespace
		} else if ns == defaultNamespace {
			// Naming the release's namespace or leaving it out is the same
			// object in the same place: no difference to show.
			meta := shallowCopy(obj["metadata"].(map[string]any))
			delete(meta, "namespace")
			obj["metadata"] = meta
		}
		_, hook := lookup(obj, "metadata", "annotations", "helm.sh/hook")
		k := ObjectKey{Kind: kind, Namespace: ns, Name: name}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("manifest has %s twice", k)
		}
		out[k] = manifestObject{key: k, hook: hook, obj: obj}
	}
	return out, nil
}

// DiffManifests compares two rendered manifests object by object: which
// objects are added, removed or changed, with a unified diff of each that
// changes. Secret values are masked (see ObjectDiff.Unified).
// defaultNamespace stands for the namespace of objects that name none (the
// release's, as Helm applies them).
func DiffManifests(from, to, defaultNamespace string) (ManifestDiff, error) {
	old, err := parseManifest(from, defaultNamespace)
	if err != nil {
		return ManifestDiff{}, fmt.Errorf("the running manifest: %w", err)
	}
	cur, err := parseManifest(to, defaultNamespace)
	if err != nil {
		return ManifestDiff{}, fmt.Errorf("the new manifest: %w", err)
	}
	var d ManifestDiff
	keys := map[ObjectKey]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range cur {
		keys[k] = true
	}
	for k := range keys {
		a, inOld := old[k]
		b, inNew := cur[k]
		var aObj, bObj map[string]any
		if inOld {
			aObj = a.obj
		}
		if inNew {
			bObj = b.obj
		}
		if k.Kind == "Secret" {
			aObj, bObj = maskSecretPair(aObj, bObj)
		}
		aText, err := objectYAML(aObj)
		if err != nil {
			return ManifestDiff{}, err
		}
		bText, err := objectYAML(bObj)
		if err != nil {
			return ManifestDiff{}, err
		}
		od := ObjectDiff{Key: k, Hook: a.hook || b.hook}
		switch {
		case !inOld:
			od.Change = Added
		case !inNew:
			od.Change = Removed
		case aText == bText:
			d.Unchanged++
			continue
		default:
			od.Change = Changed
		}
		od.Unified = udiff.Unified("a/"+k.String(), "b/"+k.String(), aText, bText)
		d.Objects = append(d.Objects, od)
	}
	slices.SortFunc(d.Objects, func(x, y ObjectDiff) int {
		return cmp.Or(cmp.Compare(x.Key.Kind, y.Key.Kind), cmp.Compare(x.Key.Namespace, y.Key.Namespace), cmp.Compare(x.Key.Name, y.Key.Name))
	})
	return d, nil
}

func objectYAML(obj map[string]any) (string, error) {
	if obj == nil {
		return "", nil
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

const (
	hiddenValue        = "(hidden)"
	hiddenChangedValue = "(hidden, changed)"
)

// maskSecretPair returns copies of two versions of a Secret (either may be
// nil) whose data and stringData values are replaced by placeholders: the
// new version's says "(hidden, changed)" where its value differs from the
// old one's, so a diff shows which keys change and never what they hold.
func maskSecretPair(old, cur map[string]any) (map[string]any, map[string]any) {
	maskedOld, maskedCur := shallowCopy(old), shallowCopy(cur)
	for _, field := range []string{"data", "stringData"} {
		oldVals, _ := old[field].(map[string]any)
		curVals, _ := cur[field].(map[string]any)
		if oldVals != nil {
			m := map[string]any{}
			for k := range oldVals {
				m[k] = hiddenValue
			}
			maskedOld[field] = m
		}
		if curVals != nil {
			m := map[string]any{}
			for k, v := range curVals {
				prev, had := oldVals[k]
				if old != nil && had && fmt.Sprint(prev) == fmt.Sprint(v) {
					m[k] = hiddenValue
				} else if old != nil && had {
					m[k] = hiddenChangedValue
				} else {
					m[k] = hiddenValue
				}
			}
			maskedCur[field] = m
		}
	}
	return maskedOld, maskedCur
}

// MaskSecrets returns a manifest with every Secret's data and stringData
// values replaced by "(hidden)", for showing a revision's manifest.
func MaskSecrets(manifest string) (string, error) {
	docs := docSeparator.Split(manifest, -1)
	var out []string
	for i, doc := range docs {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			return "", fmt.Errorf("manifest document %d: %w", i+1, err)
		}
		if len(obj) == 0 {
			continue
		}
		if obj["kind"] == "Secret" {
			masked, _ := maskSecretPair(obj, nil)
			text, err := objectYAML(masked)
			if err != nil {
				return "", err
			}
			// Keep the "# Source:" line Helm puts above each object.
			var comments []string
			for _, line := range strings.Split(strings.TrimLeft(doc, "\n"), "\n") {
				if !strings.HasPrefix(line, "#") {
					break
				}
				comments = append(comments, line)
			}
			doc = "\n" + strings.Join(append(comments, text), "\n")
		}
		out = append(out, strings.TrimRight(strings.TrimLeft(doc, "\n"), "\n"))
	}
	if len(out) == 0 {
		return "", nil
	}
	return "---\n" + strings.Join(out, "\n---\n") + "\n", nil
}

func shallowCopy(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
