package helm

import (
	"encoding/json"
	"regexp"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// SchemaError is values that break the chart's values.schema.json: each
// value at fault by its dotted path, with what is wrong and what the schema
// says the value is for. Helm's own text spreads over several lines, the
// first of which says nothing; this one reads on one line.
type SchemaError struct {
	Release  string
	Problems []string // "backend.image.tag: 'not' failed (Image tag; ...)"
	Err      error    // Helm's own error
}

func (e *SchemaError) Error() string {
	return "values for " + e.Release + " break the chart's schema: " + strings.Join(e.Problems, "; ")
}

func (e *SchemaError) Unwrap() error { return e.Err }

// schemaLine is one problem of Helm's schema error: "- at '/a/b': text".
var schemaLine = regexp.MustCompile(`(?m)^\s*- at '([^']*)': (.+)$`)

// asSchemaError turns Helm's schema validation error into a *SchemaError,
// and leaves any other error alone.
func asSchemaError(err error, release string, ch *chart.Chart) error {
	if err == nil || !strings.Contains(err.Error(), "values don't meet the specifications of the schema") {
		return err
	}
	var schema map[string]any
	if ch != nil && len(ch.Schema) > 0 {
		_ = json.Unmarshal(ch.Schema, &schema)
	}
	se := &SchemaError{Release: release, Err: err}
	for _, m := range schemaLine.FindAllStringSubmatch(err.Error(), -1) {
		parts := strings.Split(strings.Trim(m[1], "/"), "/")
		path := strings.Join(parts, ".")
		if path == "" {
			path = "(top level)"
		}
		problem := path + ": " + strings.TrimSpace(m[2])
		if d := schemaDescription(schema, parts); d != "" {
			problem += " (" + path + ": " + d + ")"
		}
		se.Problems = append(se.Problems, problem)
	}
	if len(se.Problems) == 0 {
		se.Problems = []string{oneLine(err.Error())}
	}
	return se
}

// schemaDescription is the description the schema gives the value at path.
func schemaDescription(schema map[string]any, path []string) string {
	cur := schema
	for _, p := range path {
		if p == "" {
			continue
		}
		props, _ := cur["properties"].(map[string]any)
		next, _ := props[p].(map[string]any)
		if next == nil {
			return ""
		}
		cur = next
	}
	d, _ := cur["description"].(string)
	return d
}
