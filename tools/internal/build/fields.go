package build

import "github.com/zavestudios/platform/tools/internal/manifest"

// Small accessors for unstructured objects: a wrong type reads as absent, the way a controller's
// typed decode would reject it, and never panics.

func mapAt(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

func strAt(m map[string]any, path ...string) string {
	if len(path) == 0 {
		return ""
	}
	s, _ := mapAt(m, path[:len(path)-1]...)[path[len(path)-1]].(string)
	return s
}

func boolAt(m map[string]any, path ...string) bool {
	if len(path) == 0 {
		return false
	}
	v, _ := mapAt(m, path[:len(path)-1]...)[path[len(path)-1]].(bool)
	return v
}

func sliceAt(m map[string]any, path ...string) []any {
	if len(path) == 0 {
		return nil
	}
	s, _ := mapAt(m, path[:len(path)-1]...)[path[len(path)-1]].([]any)
	return s
}

// maps returns the mapping elements of a list, skipping anything else.
func maps(s []any) []map[string]any {
	var out []map[string]any
	for _, e := range s {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func nsName(o manifest.Object) string { return o.Namespace() + "/" + o.Name() }

// or returns a unless it is empty.
func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// deepCopy copies a JSON-compatible value so later mutation does not leak between objects.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func copyMap(m map[string]any) map[string]any {
	c, _ := deepCopy(m).(map[string]any)
	return c
}

// setLabels merges labels into an object's metadata.labels.
func setLabels(obj map[string]any, labels map[string]string) {
	setMeta(obj, "labels", labels)
}

func setMeta(obj map[string]any, field string, kv map[string]string) {
	if len(kv) == 0 {
		return
	}
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	m, ok := meta[field].(map[string]any)
	if !ok {
		m = map[string]any{}
		meta[field] = m
	}
	for k, v := range kv {
		m[k] = v
	}
}

func stringMap(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
