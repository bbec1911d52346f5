package parity

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// field is one differing leaf (or subtree present on one side only).
type field struct {
	path string
	a, b any
}

// compare walks two objects and returns their differing fields, sorted by path.
func compare(a, b any) []field {
	var out []field
	walk("", a, b, &out)
	slices.SortFunc(out, func(x, y field) int { return strings.Compare(x.path, y.path) })
	return out
}

func walk(p string, a, b any, out *[]field) {
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
			kp := p + "/" + escape(k)
			// a map on one side only is compared with an empty one, so each of its leaves is a
			// difference a declaration can name (one annotation, not all of metadata.annotations).
			switch _, isMap := cmpOr(va, vb).(map[string]any); {
			case !inA && isMap:
				walk(kp, map[string]any{}, vb, out)
			case !inB && isMap:
				walk(kp, va, map[string]any{}, out)
			case !inA:
				*out = append(*out, field{kp, nil, vb})
			case !inB:
				*out = append(*out, field{kp, va, nil})
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
				*out = append(*out, field{ip, nil, y[i]})
			case i >= len(y):
				*out = append(*out, field{ip, x[i], nil})
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
		*out = append(*out, field{p, a, b})
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

// escape encodes a key as a JSON-pointer segment.
func escape(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

func splitPointer(p string) []string { return strings.Split(strings.TrimPrefix(p, "/"), "/") }

// matchPath matches pointer segments against a glob: * is one segment (or part of one), ** any
// number of segments. Segments stay escaped on both sides, so `eks.amazonaws.com~1role-arn`
// matches the key eks.amazonaws.com/role-arn.
func matchPath(glob, segs []string) bool {
	if len(glob) == 0 {
		return len(segs) == 0
	}
	if glob[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchPath(glob[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	return globMatch(glob[0], segs[0]) && matchPath(glob[1:], segs[1:])
}

func globMatch(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

var sopsValue = regexp.MustCompile(`^ENC\[AES256_GCM,.*\]$`)

// normalize removes what legitimately differs between any two renders and is not a property of
// the environment: SOPS ciphertext (re-encrypted per file) and the environment's own folder name.
func normalize(obj map[string]any, env string) map[string]any {
	out := deepCopy(obj, env).(map[string]any)
	if _, ok := out["sops"]; ok {
		delete(out, "sops")
	}
	return out
}

func deepCopy(v any, env string) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k] = deepCopy(val, env)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, val := range x {
			l[i] = deepCopy(val, env)
		}
		return l
	case string:
		if sopsValue.MatchString(x) {
			return "ENC[...]"
		}
		return replaceEnvFolder(x, env)
	}
	return v
}

// replaceEnvFolder turns clusters/<env> into clusters/${env}: each environment syncs its own folder.
func replaceEnvFolder(s, env string) string {
	for _, prefix := range []string{"./clusters/", "clusters/"} {
		if strings.HasPrefix(s, prefix+env) {
			rest := s[len(prefix+env):]
			if rest == "" || rest[0] == '/' {
				return prefix + "${env}" + rest
			}
		}
	}
	return s
}
