package manifest

import (
	"fmt"
	"math"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the values one document may expand to, so a document of nested aliases (a
// "billion laughs") is an error rather than exhausted memory.
const maxNodes = 1 << 20

// maxDepth bounds nesting, for the same reason.
const maxDepth = 1000

// toValue converts a YAML node into the JSON-compatible form every stage expects
// (map[string]any, []any, string, bool, int64, float64, nil), as the apiserver would store it.
// It walks the node tree itself rather than calling Node.Decode so that timestamps stay the
// strings they were written as (sigs.k8s.io/yaml, which kubectl and the controllers use, keeps
// them as strings), and so duplicate keys are reported with their lines. Errors start with the
// line (`12: message`); the caller prefixes the file.
func toValue(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 || depth > maxDepth {
		return nil, fmt.Errorf("%d: document too large or too deeply nested", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return toValue(n.Content[0], budget, depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("%d: unknown alias", n.Line)
		}
		return toValue(n.Alias, budget, depth+1)
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := toValue(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.MappingNode:
		return toMap(n, budget, depth)
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, fmt.Errorf("%d: unexpected YAML node", n.Line)
}

func toMap(n *yaml.Node, budget *int, depth int) (map[string]any, error) {
	m := make(map[string]any, len(n.Content)/2)
	lines := make(map[string]int, len(n.Content)/2)
	var merged []map[string]any
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			ms, err := mergeSources(v, budget, depth)
			if err != nil {
				return nil, err
			}
			merged = append(merged, ms...)
			continue
		}
		key, err := mapKey(k)
		if err != nil {
			return nil, err
		}
		if prev, dup := lines[key]; dup {
			return nil, fmt.Errorf("%d: mapping key %q already defined at line %d", k.Line, key, prev)
		}
		val, err := toValue(v, budget, depth+1)
		if err != nil {
			return nil, err
		}
		m[key], lines[key] = val, k.Line
	}
	// Keys written in the mapping win over merged ones; earlier merge sources win over later.
	for _, src := range merged {
		for k, v := range src {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
	}
	return m, nil
}

// mergeSources reads the value of a `<<` merge key: one mapping or a list of mappings.
func mergeSources(v *yaml.Node, budget *int, depth int) ([]map[string]any, error) {
	val, err := toValue(v, budget, depth+1)
	if err != nil {
		return nil, err
	}
	switch val := val.(type) {
	case map[string]any:
		return []map[string]any{val}, nil
	case []any:
		var out []map[string]any
		for _, e := range val {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%d: merge key needs mappings", v.Line)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%d: merge key needs a mapping", v.Line)
}

func mapKey(k *yaml.Node) (string, error) {
	for i := 0; k.Kind == yaml.AliasNode && k.Alias != nil && i < maxDepth; i++ {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("%d: mapping key is not a scalar", k.Line)
	}
	if k.Tag == "!!null" {
		return "null", nil
	}
	return k.Value, nil
}

// scalar resolves a scalar the way YAML 1.1-compatible Kubernetes decoding does, keeping
// timestamps as written.
func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!binary", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("%d: %w", n.Line, err)
	}
	switch v := v.(type) {
	case int:
		return int64(v), nil
	case int64, bool, string, nil:
		return v, nil
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), nil
		}
		return float64(v), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%d: %s cannot be represented in JSON", n.Line, n.Value)
		}
		return v, nil
	case time.Time:
		return n.Value, nil
	}
	return n.Value, nil
}
