package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// resolve splits kubeconform's error path into the keys it names. kubeconform joins the
// instance location with "/" without escaping, so "/metadata/annotations/example.com/owner"
// could be four keys or three; walking the object finds the keys that exist. When the path does
// not match the object, the plain split is the best guess.
func resolve(doc any, path string) []string {
	if path == "" || path == "/" {
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if tokens, ok := match(doc, segs, 0); ok {
		return tokens
	}
	return segs
}

// maxDepth stops a pathological object (keys "a", "a/a", "a/a/a", …) from making match
// explore every way to split a long path.
const maxDepth = 64

func match(node any, segs []string, depth int) ([]string, bool) {
	if len(segs) == 0 {
		return nil, true
	}
	if depth > maxDepth {
		return nil, false
	}
	switch n := node.(type) {
	case map[string]any:
		for i := 1; i <= len(segs); i++ {
			key := strings.Join(segs[:i], "/")
			child, ok := n[key]
			if !ok {
				continue
			}
			if rest, ok := match(child, segs[i:], depth+1); ok {
				return append([]string{key}, rest...), true
			}
		}
	case []any:
		i, err := strconv.Atoi(segs[0])
		if err == nil && i >= 0 && i < len(n) {
			if rest, ok := match(n[i], segs[1:], depth+1); ok {
				return append([]string{segs[0]}, rest...), true
			}
		}
	}
	return nil, false
}

// encodePointer writes tokens as an RFC 6901 JSON pointer ("" is the whole object).
func encodePointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// unknownFields returns, sorted, the keys of the map at tokens that an "additional properties
// … not allowed" message names. The validator lists them quoted in the message; matching the
// object's real keys against it avoids parsing names that may themselves contain quotes or
// commas.
func unknownFields(doc any, tokens []string, msg string) []string {
	if !strings.HasPrefix(msg, "additional properties ") || !strings.HasSuffix(msg, " not allowed") {
		return nil
	}
	node := doc
	for _, t := range tokens {
		switch n := node.(type) {
		case map[string]any:
			node = n[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			node = n[i]
		default:
			return nil
		}
	}
	m, ok := node.(map[string]any)
	if !ok {
		return nil
	}
	var names []string
	for k := range m {
		if strings.Contains(msg, quote(k)) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// quote quotes a property name the way the validator (santhosh-tekuri/jsonschema v6) does in
// its messages.
func quote(s string) string {
	s = fmt.Sprintf("%q", s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}
