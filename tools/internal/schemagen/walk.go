package schemagen

import "slices"

// The transformations below must only touch schema positions: a "properties" map is a map of
// field names, and Kubernetes has fields named "type", "properties" and even "$ref"
// (JSONSchemaProps), so a blind walk over every map would rewrite data as if it were schema.

// Keywords whose value is a map from a name to a schema.
var schemaMapKeywords = []string{"properties", "patternProperties", "definitions", "dependencies"}

// Keywords whose value is a schema, a list of schemas, or a boolean.
var schemaKeywords = []string{"items", "additionalProperties", "additionalItems", "not", "allOf", "anyOf", "oneOf"}

// isSchemaKeyword reports whether a key of a schema holds subschemas.
func isSchemaKeyword(k string) bool {
	return slices.Contains(schemaMapKeywords, k) || slices.Contains(schemaKeywords, k)
}

// mapSubschemas returns v (the value of schema keyword k) with every subschema replaced by f.
// Booleans and, for "dependencies", property lists are kept as they are.
func mapSubschemas(k string, v any, f func(map[string]any) (map[string]any, error)) (any, error) {
	if slices.Contains(schemaMapKeywords, k) {
		m, ok := v.(map[string]any)
		if !ok {
			return clone(v), nil
		}
		out := make(map[string]any, len(m))
		for name, sub := range m {
			s, ok := sub.(map[string]any)
			if !ok {
				out[name] = clone(sub)
				continue
			}
			t, err := f(s)
			if err != nil {
				return nil, err
			}
			out[name] = t
		}
		return out, nil
	}
	switch v := v.(type) {
	case map[string]any:
		return f(v)
	case []any:
		out := make([]any, len(v))
		for i, sub := range v {
			s, ok := sub.(map[string]any)
			if !ok {
				out[i] = clone(sub)
				continue
			}
			t, err := f(s)
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	}
	return clone(v), nil
}

// walk calls visit on s and then on every subschema below it, depth first. visit may change
// the schema it is given; it sees a parent before its children.
func walk(s map[string]any, visit func(map[string]any)) {
	visit(s)
	for k, v := range s {
		switch {
		case slices.Contains(schemaMapKeywords, k):
			m, _ := v.(map[string]any)
			for _, sub := range m {
				if sub, ok := sub.(map[string]any); ok {
					walk(sub, visit)
				}
			}
		case slices.Contains(schemaKeywords, k):
			switch v := v.(type) {
			case map[string]any:
				walk(v, visit)
			case []any:
				for _, sub := range v {
					if sub, ok := sub.(map[string]any); ok {
						walk(sub, visit)
					}
				}
			}
		}
	}
}

// clone deep-copies a decoded JSON value, so each inlined definition can be changed on its own.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = clone(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = clone(e)
		}
		return out
	}
	return v
}
