package schemagen

import "slices"

// The transformations of kubeconform's openapi2jsonschema, applied in place to a schema whose
// maps are not shared (the expander and the YAML decoder both produce fresh trees).

// intOrString turns `format: int-or-string` (IntOrString in the v2 document, where the type
// says only "string") into a schema that accepts both: `maxSurge: 1` and `maxSurge: 25%`.
func intOrString(s map[string]any) {
	walk(s, func(s map[string]any) {
		if s["format"] != "int-or-string" {
			return
		}
		delete(s, "format")
		delete(s, "type")
		s["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
	})
}

// allowNullOptional lets an optional property be null, as the API server does
// (`creationTimestamp: null` from kubectl): a property not in its parent's required list gets
// `type: [T, "null"]`. Properties without a single type (oneOf) are left alone.
func allowNullOptional(s map[string]any) {
	walk(s, func(s map[string]any) {
		props, ok := s["properties"].(map[string]any)
		if !ok {
			return
		}
		required, _ := s["required"].([]any)
		for name, p := range props {
			p, ok := p.(map[string]any)
			if !ok || slices.Contains(required, any(name)) {
				continue
			}
			if t, ok := p["type"].(string); ok && t != "null" {
				p["type"] = []any{t, "null"}
			}
		}
	})
}

// strict forbids fields the schema does not list: `additionalProperties: false` on every
// object schema with properties that says nothing about additional properties, except where
// x-kubernetes-preserve-unknown-fields keeps unknown fields on purpose. root says whether the
// top-level schema is included: kubeconform's CRD script leaves it open (a CRD's root lists
// only apiVersion, kind, metadata, spec and status).
func strict(s map[string]any, root bool) {
	first := true // walk visits the top-level schema first
	walk(s, func(s map[string]any) {
		if first {
			first = false
			if !root {
				return
			}
		}
		if _, ok := s["properties"]; !ok {
			return
		}
		if _, ok := s["additionalProperties"]; ok {
			return
		}
		if s["x-kubernetes-preserve-unknown-fields"] == true {
			return
		}
		s["additionalProperties"] = false
	})
}
