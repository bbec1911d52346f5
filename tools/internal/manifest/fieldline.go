package manifest

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FieldLine returns the line of the field a JSON pointer (/spec/template/spec/containers/0/image)
// names inside the object that starts at docLine in data, as Decode reported it in Origin.Line.
// It returns the line of the mapping key for a field and of the element for a list index, the
// deepest existing ancestor's line when the field is absent (a finding about a missing field
// points at its parent), and 0 when no object starts at docLine or data does not parse.
func FieldLine(data []byte, docLine int, pointer string) int {
	roots, err := parseDocuments("", data)
	if err != nil {
		return 0
	}
	var obj *yaml.Node
	for _, root := range roots {
		if obj = findMapping(root, docLine); obj != nil {
			break
		}
	}
	if obj == nil {
		return 0
	}
	line := obj.Line
	n := obj
	for _, tok := range pointerTokens(pointer) {
		n = resolveAlias(n)
		switch n.Kind {
		case yaml.MappingNode:
			key, val := mappingEntry(n, tok)
			if key == nil {
				return line
			}
			line, n = key.Line, val
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		default:
			return line
		}
	}
	return line
}

// findMapping finds the mapping node starting at line: a document root or a List item.
func findMapping(n *yaml.Node, line int) *yaml.Node {
	if n.Kind == yaml.MappingNode && n.Line == line {
		return n
	}
	if items := mappingValue(n, "items"); items != nil && items.Kind == yaml.SequenceNode {
		for _, item := range items.Content {
			if found := findMapping(item, line); found != nil {
				return found
			}
		}
	}
	return nil
}

func mappingEntry(n *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// pointerTokens splits an RFC 6901 JSON pointer into its unescaped reference tokens.
func pointerTokens(pointer string) []string {
	if pointer == "" || pointer == "/" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}
