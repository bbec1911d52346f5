package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// quantityDef is resource.Quantity. The v2 document types it as a plain string, but the API
// server accepts numbers (`cpu: 1`, `memory: 1073741824`) and the v3 documents in the same zip
// say oneOf string/number, so the definition is patched to match them before inlining.
const quantityDef = "io.k8s.apimachinery.pkg.api.resource.Quantity"

// gvk is one entry of a definition's x-kubernetes-group-version-kind.
type gvk struct{ Group, Version, Kind string }

// fileName is kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json: the kind, the first DNS
// label of the group (none for the core group) and the version, lower case.
func (g gvk) fileName() string {
	name := strings.ToLower(g.Kind)
	if g.Group != "" {
		label, _, _ := strings.Cut(g.Group, ".")
		name += "-" + strings.ToLower(label)
	}
	return name + "-" + strings.ToLower(g.Version) + ".json"
}

func (g gvk) apiVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

// openAPISchemas converts a Kubernetes OpenAPI v2 document (swagger.json) into kubeconform's
// standalone-strict schemas, keyed by file name: one per group/version/kind, with every $ref
// inlined, int-or-string widened, optional properties nullable, unknown fields forbidden, and
// kind and apiVersion pinned by enum. No $schema key: kubeconform compiles them as draft 4.
func openAPISchemas(swagger []byte) (map[string]map[string]any, error) {
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(swagger))
	dec.UseNumber() // keep numbers exactly as written (int64 bounds)
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if q, ok := doc.Definitions[quantityDef]; ok {
		p := map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
		if d, ok := q["description"]; ok {
			p["description"] = d
		}
		doc.Definitions[quantityDef] = p
	}

	x := expander{defs: doc.Definitions}
	out := make(map[string]map[string]any)
	from := make(map[string]string) // file → definition, to report collisions
	for _, name := range slices.Sorted(maps.Keys(doc.Definitions)) {
		def := doc.Definitions[name]
		gvks, err := groupVersionKinds(def)
		if err != nil {
			return nil, fmt.Errorf("definition %s: %w", name, err)
		}
		for _, g := range gvks {
			s, err := x.expand(def, []string{name})
			if err != nil {
				return nil, fmt.Errorf("definition %s: %w", name, err)
			}
			intOrString(s)
			allowNullOptional(s)
			strict(s, true)
			pin(s, "kind", g.Kind)
			pin(s, "apiVersion", g.apiVersion())

			file := g.fileName()
			if prev, dup := from[file]; dup {
				return nil, fmt.Errorf("definitions %s and %s both map to %s", prev, name, file)
			}
			from[file] = name
			out[file] = s
		}
	}
	return out, nil
}

// groupVersionKinds reads x-kubernetes-group-version-kind; definitions without it are only
// referenced from others and get no file of their own.
func groupVersionKinds(def map[string]any) ([]gvk, error) {
	raw, ok := def["x-kubernetes-group-version-kind"]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("x-kubernetes-group-version-kind is %T, not a list", raw)
	}
	var gvks []gvk
	for _, e := range list {
		m, _ := e.(map[string]any)
		g, _ := m["group"].(string)
		v, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		if v == "" || k == "" {
			return nil, fmt.Errorf("x-kubernetes-group-version-kind entry %v lacks version or kind", e)
		}
		gvks = append(gvks, gvk{Group: g, Version: v, Kind: k})
	}
	return gvks, nil
}

// pin restricts a top-level string property to one value, so a schema found by file name still
// rejects an object of another kind or version.
func pin(s map[string]any, prop, value string) {
	props, _ := s["properties"].(map[string]any)
	if p, ok := props[prop].(map[string]any); ok {
		p["enum"] = []any{value}
	}
}

// expander inlines #/definitions/ references (kubeconform's "standalone" schemas).
type expander struct {
	defs map[string]map[string]any
}

// expand returns a fresh copy of s with every $ref replaced by the definition it names. stack
// holds the definitions being expanded on the current path: a reference back onto it
// (JSONSchemaProps contains JSONSchemaProps) cannot be inlined and becomes a schema that
// accepts anything.
func (x *expander) expand(s map[string]any, stack []string) (map[string]any, error) {
	out := make(map[string]any, len(s))
	for k, v := range s {
		switch {
		case k == "$ref":
		case isSchemaKeyword(k):
			t, err := mapSubschemas(k, v, func(sub map[string]any) (map[string]any, error) {
				return x.expand(sub, stack)
			})
			if err != nil {
				return nil, err
			}
			out[k] = t
		default:
			out[k] = clone(v)
		}
	}
	ref, ok := s["$ref"]
	if !ok {
		return out, nil
	}
	r, _ := ref.(string)
	name, found := strings.CutPrefix(r, "#/definitions/")
	if !found {
		return nil, fmt.Errorf("unsupported $ref %v", ref)
	}
	if slices.Contains(stack, name) {
		return out, nil
	}
	def, ok := x.defs[name]
	if !ok {
		return nil, fmt.Errorf("$ref to unknown definition %s", name)
	}
	target, err := x.expand(def, append(slices.Clip(stack), name))
	if err != nil {
		return nil, err
	}
	// Keys beside the $ref (its description, patch strategy) describe this use of the
	// definition and win over the definition's own.
	maps.Copy(target, out)
	return target, nil
}
