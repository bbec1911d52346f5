package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// crdDoc is the part of a CustomResourceDefinition the generator reads.
type crdDoc struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Group string `json:"group"`
		Names struct {
			Kind   string `json:"kind"`
			Plural string `json:"plural"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Served bool   `json:"served"`
			Schema struct {
				OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

// crdOutputs turns one CRD YAML file (one or more documents) into files keyed by repo-relative
// path: the CRD document itself, verbatim, under schemas/crds/<group>_<plural>.yaml (an
// end-to-end test applies these to a real API server), and a JSON schema per served version
// under schemas/jsonschema/crds/<group>/<kind>_<version>.json. Versions that are not served
// get no schema: the API server would refuse an object at that version anyway.
func crdOutputs(data []byte, origin string) (map[string][]byte, error) {
	out := make(map[string][]byte)
	for i, doc := range splitDocuments(data) {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if string(bytes.TrimSpace(j)) == "null" { // only comments or blank
			continue
		}
		var c crdDoc
		if err := json.Unmarshal(j, &c); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if c.APIVersion != "apiextensions.k8s.io/v1" || c.Kind != "CustomResourceDefinition" {
			return nil, fmt.Errorf("document %d is %s %s, not an apiextensions.k8s.io/v1 CustomResourceDefinition",
				i+1, c.APIVersion, c.Kind)
		}
		g, kind, plural := c.Spec.Group, c.Spec.Names.Kind, c.Spec.Names.Plural
		if g == "" || kind == "" || plural == "" || strings.ContainsAny(g+kind+plural, `/\`) {
			return nil, fmt.Errorf("document %d: CRD needs a group, kind and plural usable as file names", i+1)
		}

		header := fmt.Sprintf("# Vendored by `make schemas` from %s; do not edit.\n", origin)
		text := bytes.TrimLeft(doc, "\r\n")
		if !bytes.HasSuffix(text, []byte("\n")) {
			text = append(text, '\n')
		}
		if err := add(out, "schemas/crds/"+g+"_"+plural+".yaml", append([]byte(header), text...)); err != nil {
			return nil, err
		}

		for _, v := range c.Spec.Versions {
			if !v.Served || len(v.Schema.OpenAPIV3Schema) == 0 {
				continue
			}
			s, err := decodeSchema(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("%s %s/%s: %w", kind, g, v.Name, err)
			}
			intOrString(s)
			strict(s, false)
			enc, err := encodeJSON(s)
			if err != nil {
				return nil, fmt.Errorf("%s %s/%s: %w", kind, g, v.Name, err)
			}
			file := "schemas/jsonschema/crds/" + g + "/" + strings.ToLower(kind) + "_" + v.Name + ".json"
			if err := add(out, file, enc); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func decodeSchema(raw []byte) (map[string]any, error) {
	var s map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep int64 bounds exact
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("openAPIV3Schema is not an object")
	}
	return s, nil
}

func add(out map[string][]byte, file string, data []byte) error {
	if _, dup := out[file]; dup {
		return fmt.Errorf("%s produced twice", file)
	}
	out[file] = data
	return nil
}

// splitDocuments splits a YAML stream at its `---` lines, keeping each document's text as
// written (comments, quoting, order), which a decode and re-encode would lose.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur []byte
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		t := bytes.TrimRight(line, "\r\n")
		if bytes.Equal(t, []byte("---")) || bytes.HasPrefix(t, []byte("--- ")) || bytes.HasPrefix(t, []byte("---\t")) {
			docs = append(docs, cur)
			cur = nil
			continue
		}
		cur = append(cur, line...)
	}
	return append(docs, cur)
}
