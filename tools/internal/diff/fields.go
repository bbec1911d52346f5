// Package diff compares objects: field by field (shared with parity), and whole trees of
// objects between two git refs, reported the way `flux diff` does.
package diff

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Field is one differing leaf (or a value present on one side only), at a JSON pointer.
type Field struct {
	Path string `json:"path"`
	A    any    `json:"a,omitempty"`
	B    any    `json:"b,omitempty"`
}

// Fields walks two values and returns their differing fields, sorted by path. Maps are compared
// key by key (a map on one side only leaf by leaf), lists index by index, and two strings that
// both hold a YAML document (a ConfigMap's values.yaml) structurally.
func Fields(a, b any) []Field {
	var out []Field
	walk("", a, b, &out)
	slices.SortFunc(out, func(x, y Field) int { return strings.Compare(x.Path, y.Path) })
	return out
}

func walk(p string, a, b any, out *[]Field) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			va, inA := x[k]
			vb, inB := y[k]
			kp := p + "/" + Escape(k)
			// a map on one side only is compared with an empty one, so each of its leaves is a
			// difference a declaration can name (one annotation, not all of metadata.annotations).
			switch _, isMap := cmpOr(va, vb).(map[string]any); {
			case !inA && isMap:
				walk(kp, map[string]any{}, vb, out)
			case !inB && isMap:
				walk(kp, va, map[string]any{}, out)
			case !inA:
				*out = append(*out, Field{kp, nil, vb})
			case !inB:
				*out = append(*out, Field{kp, va, nil})
			default:
				walk(kp, va, vb, out)
			}
		}
		return
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		for i := 0; i < max(len(x), len(y)); i++ {
			ip := fmt.Sprintf("%s/%d", p, i)
			switch {
			case i >= len(x):
				*out = append(*out, Field{ip, nil, y[i]})
			case i >= len(y):
				*out = append(*out, Field{ip, x[i], nil})
			default:
				walk(ip, x[i], y[i], out)
			}
		}
		return
	case string:
		// an embedded YAML document (a ConfigMap's values.yaml) is compared structurally, so a
		// declaration can name the one value inside it that differs.
		if y, ok := b.(string); ok && x != y {
			if da, db, ok := embedded(x, y); ok {
				walk(p, da, db, out)
				return
			}
		}
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, Field{p, a, b})
	}
}

func embedded(a, b string) (map[string]any, map[string]any, bool) {
	if !strings.Contains(a, "\n") || !strings.Contains(b, "\n") {
		return nil, nil, false
	}
	var da, db map[string]any
	if yaml.Unmarshal([]byte(a), &da) != nil || yaml.Unmarshal([]byte(b), &db) != nil || da == nil || db == nil {
		return nil, nil, false
	}
	return da, db, true
}

func cmpOr(a, b any) any {
	if a != nil {
		return a
	}
	return b
}

// Escape encodes a key as a JSON-pointer segment.
func Escape(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

// SplitPointer splits a JSON pointer into its (still escaped) segments.
func SplitPointer(p string) []string { return strings.Split(strings.TrimPrefix(p, "/"), "/") }
