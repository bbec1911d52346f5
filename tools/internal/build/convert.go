package build

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resource"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// Limits of the direct conversion, well inside the ones the YAML detour enforces (manifest's
// 1<<20 values and 1000 levels, the YAML parser's 1024-character simple keys): anything past
// them takes the detour, which then fails or succeeds exactly as it always did.
const (
	convertMaxNodes  = 1 << 18
	convertMaxDepth  = 200
	convertMaxKeyLen = 1000
)

// converted is a resource's object and what substitution would find in it.
type converted struct {
	obj map[string]any
	// dollar is set when a key or string holds a '$': post-build substitution could change it.
	dollar bool
	// lossy is set when a value might not survive fluxcd/pkg/kustomize's round trip: an integer
	// (it reads JSON numbers as float64), or a key or multi-line string with a control
	// character (yaml.v3 writes "\t\n" as a block it cannot read back).
	lossy bool
}

// convertResource turns a built resource into the object manifest.Decode(res.AsYAML()) gives,
// without the detour. AsYAML is RNode.MarshalJSON (kyaml's YAML text of the node, unmarshalled
// into Go values and marshalled as JSON) followed by sigs.k8s.io/yaml's JSONToYAML (yaml.v2
// reading the JSON and writing YAML), which Decode (yaml.v3) reads back. Kustomize spends most
// of a resource's time in that chain, and every value survives it except in how numbers are
// typed: a JSON number is an int64 when it is an integer, else a float64. So the node is read
// into Go values the way MarshalJSON reads it, and each value is typed as the JSON text
// encoding/json would write for it. ok is false for anything the chain could reject or alter
// (a List kind Decode would expand, a value JSON cannot encode, a long key, deep nesting); the
// caller then takes the detour itself.
func convertResource(res *resource.Resource) (converted, bool) {
	n := res.YNode()
	if n == nil || n.Kind != kyaml.MappingNode {
		return converted{}, false
	}
	s, err := res.RNode.String()
	if err != nil {
		return converted{}, false
	}
	m := map[string]any{}
	if err := kyaml.Unmarshal([]byte(s), &m); err != nil {
		return converted{}, false
	}
	return convertMap(m)
}

// convertSubstituted is convertResource for a resource post-build substitution has rewritten:
// fluxcd/pkg/kustomize reads it back from JSON into a fresh node (kyaml's FromMap parses what
// yaml.v3 wrote for the values), so the node decodes to the values MarshalJSON would read from
// its text, without writing and parsing that text again.
func convertSubstituted(res *resource.Resource) (converted, bool) {
	n := res.YNode()
	if n == nil || n.Kind != kyaml.MappingNode {
		return converted{}, false
	}
	m := map[string]any{}
	if err := n.Decode(&m); err != nil {
		return converted{}, false
	}
	return convertMap(m)
}

func convertMap(m map[string]any) (converted, bool) {
	c := converter{}
	obj, ok := c.mapping(m, 0)
	if !ok {
		return converted{}, false
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" || strings.HasSuffix(kind, "List") {
		return converted{}, false
	}
	return converted{obj: obj, dollar: c.dollar, lossy: c.lossy}, true
}

type converter struct {
	nodes         int
	dollar, lossy bool
}

func (c *converter) value(v any, depth int) (any, bool) {
	c.nodes++
	if c.nodes > convertMaxNodes || depth > convertMaxDepth {
		return nil, false
	}
	switch v := v.(type) {
	case nil, bool:
		return v, true
	case string:
		if !jsonSafe(v) || !stringSurvives(v) {
			return nil, false
		}
		c.dollar = c.dollar || strings.IndexByte(v, '$') >= 0
		c.lossy = c.lossy || strings.IndexByte(v, '\n') >= 0 && hasControl(v, '\n')
		return v, true
	case int:
		return c.integer(int64(v)), true
	case int64:
		return c.integer(v), true
	case uint64:
		c.lossy = true
		if v <= math.MaxInt64 {
			return int64(v), true
		}
		return float64(v), true
	case float64:
		return c.float(v)
	case map[string]any:
		return c.mapping(v, depth)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			var ok bool
			if out[i], ok = c.value(e, depth+1); !ok {
				return nil, false
			}
		}
		return out, true
	}
	// map[any]any (a non-string key), time.Time (an explicit !!timestamp) and anything else
	// would not reach JSON unchanged.
	return nil, false
}

func (c *converter) mapping(m map[string]any, depth int) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		if len(k) > convertMaxKeyLen/6 && jsonLen(k) > convertMaxKeyLen || !jsonSafe(k) {
			return nil, false
		}
		c.dollar = c.dollar || strings.IndexByte(k, '$') >= 0
		c.lossy = c.lossy || hasControl(k, 0x7f)
		v, ok := c.value(e, depth+1)
		if !ok {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}

// integer notes whether an integer survives a float64 round trip: beyond 53 bits encoding/json
// writes the float64 as its shortest decimal, padded with zeros, which is another integer.
func (c *converter) integer(v int64) int64 {
	if v > 1<<53 || v < -(1<<53) {
		c.lossy = true
	}
	return v
}

// float types a float64 as the JSON encoding/json writes for it reads back: digits without a
// fraction are an integer (an int64 when they fit, else the float64 a uint64 or the digits
// give), anything else stays a float64.
func (c *converter) float(f float64) (any, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false // encoding/json refuses them
	}
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return f, true // written with an exponent
	}
	text := strconv.FormatFloat(f, 'f', -1, 64)
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return c.integer(i), true
	}
	if u, err := strconv.ParseUint(text, 10, 64); err == nil {
		c.lossy = true
		return float64(u), true
	}
	return f, true
}

// hasDollar reports whether a scalar of the node, key or value, holds a '$', which post-build
// substitution may replace. An alias counts as one, so the caller substitutes rather than look
// further.
func hasDollar(n *kyaml.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case kyaml.ScalarNode:
		return strings.IndexByte(n.Value, '$') >= 0
	case kyaml.AliasNode:
		return true
	}
	for _, c := range n.Content {
		if hasDollar(c) {
			return true
		}
	}
	return false
}

// jsonSafe reports whether s reaches JSON, YAML and back unchanged: it is valid UTF-8
// (encoding/json replaces invalid bytes), holds none of the characters encoding/json writes as
// they are but JSONToYAML's YAML reader refuses (DEL, the C1 controls, U+FFFE, U+FFFF), and
// none YAML may fold or normalise as a line break or drop as a byte order mark (CR, NEL, U+2028,
// U+2029, U+FEFF).
func jsonSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x7f {
			if c == '\r' {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r <= 0x9f, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
		i += size - 1
	}
	return true
}

// hasControl reports whether s holds a control character other than except.
func hasControl(s string, except byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 && s[i] != except {
			return true
		}
	}
	return false
}

// stringSurvives reports whether a string comes out of JSONToYAML and Decode as the same
// string. JSONToYAML's yaml.v2 quotes a string that it would read as something else, but yaml.v3
// reads a few more plain scalars as numbers (0o+0 is an octal zero to v3 and text to v2), so a
// string v3 would not read as a string from plain text is checked with JSONToYAML itself.
func stringSurvives(s string) bool {
	if (&yaml3.Node{Kind: yaml3.ScalarNode, Value: s}).ShortTag() == "!!str" {
		return true
	}
	j, err := json.Marshal(s)
	if err != nil {
		return false
	}
	y, err := sigsyaml.JSONToYAML(j)
	return err == nil && len(y) > 0 && (y[0] == '"' || y[0] == '\'')
}

// jsonLen is the length of s as encoding/json writes it, quotes included.
func jsonLen(s string) int {
	n := 2
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}
