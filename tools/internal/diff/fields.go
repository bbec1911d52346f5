// Package diff compares objects: field by field (shared with parity), and whole trees of
// objects between two git refs, reported the way `flux diff` does.
package diff

import (
	"reflect"
	"slices"
	"strconv"
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
	w := walker{}
	w.walk(a, b)
	slices.SortFunc(w.out, func(x, y Field) int { return strings.Compare(x.Path, y.Path) })
	return w.out
}

// walker keeps the path as a stack of escaped segments and joins it only for a difference, so
// walking two equal objects allocates nothing per field.
type walker struct {
	segs []string
	out  []Field
}

func (w *walker) path() string {
	if len(w.segs) == 0 {
		return ""
	}
	return "/" + strings.Join(w.segs, "/")
}

func (w *walker) add(a, b any) { w.out = append(w.out, Field{w.path(), a, b}) }

func (w *walker) push(seg string) { w.segs = append(w.segs, seg) }
func (w *walker) pop()            { w.segs = w.segs[:len(w.segs)-1] }

func (w *walker) walk(a, b any) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		// keys in sorted order, so differences (and any output) come out the same every time
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
			w.push(Escape(k))
			// a map on one side only is compared with an empty one, so each of its leaves is a
			// difference a declaration can name (one annotation, not all of metadata.annotations).
			switch _, isMap := cmpOr(va, vb).(map[string]any); {
			case !inA && isMap:
				w.walk(map[string]any{}, vb)
			case !inB && isMap:
				w.walk(va, map[string]any{})
			case !inA:
				w.add(nil, vb)
			case !inB:
				w.add(va, nil)
			default:
				w.walk(va, vb)
			}
			w.pop()
		}
		return
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		for i := 0; i < max(len(x), len(y)); i++ {
			w.push(strconv.Itoa(i))
			switch {
			case i >= len(x):
				w.add(nil, y[i])
			case i >= len(y):
				w.add(x[i], nil)
			default:
				w.walk(x[i], y[i])
			}
			w.pop()
		}
		return
	case string:
		if y, ok := b.(string); ok {
			if x == y {
				return
			}
			// an embedded YAML document (a ConfigMap's values.yaml) is compared structurally, so
			// a declaration can name the one value inside it that differs.
			if da, db, ok := embedded(x, y); ok {
				w.walk(da, db)
				return
			}
		}
	case bool, int, int64, float64, nil:
		if a == b {
			return
		}
	}
	if !reflect.DeepEqual(a, b) {
		w.add(a, b)
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

var escaper = strings.NewReplacer("~", "~0", "/", "~1")

// Escape encodes a key as a JSON-pointer segment.
func Escape(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return escaper.Replace(k)
}

// SplitPointer splits a JSON pointer into its (still escaped) segments.
func SplitPointer(p string) []string { return strings.Split(strings.TrimPrefix(p, "/"), "/") }
