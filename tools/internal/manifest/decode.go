package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Decode splits multi-document YAML into objects, one per document, each with Origin.File set to
// file and Origin.Line to the line where the document's object starts. Empty documents are
// skipped and List kinds are expanded into their items. A document that is not a Kubernetes
// object (not a mapping, or without apiVersion and kind) is an error naming file:line, because a
// controller would refuse the whole file too.
func Decode(file string, data []byte) ([]Object, error) {
	docs, err := parseDocuments(file, data)
	if err != nil {
		return nil, err
	}
	var objs []Object
	for _, root := range docs {
		got, err := decodeRoot(file, root)
		if err != nil {
			return nil, err
		}
		objs = append(objs, got...)
	}
	return objs, nil
}

// parseDocuments returns the root node of every non-empty document.
func parseDocuments(file string, data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var roots []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return roots, nil
		}
		if err != nil {
			return nil, yamlError(file, err)
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // a document holding only comments or `~`
		}
		roots = append(roots, root)
	}
}

// decodeRoot turns one document's root node into objects, expanding List kinds.
func decodeRoot(file string, root *yaml.Node) ([]Object, error) {
	obj, err := decodeObject(file, root)
	if err != nil {
		return nil, err
	}
	items := mappingValue(root, "items")
	if !isListKind(obj.Kind()) || items == nil {
		return []Object{obj}, nil
	}
	if items.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: %s items is not a list", file, items.Line, obj.Kind())
	}
	var objs []Object
	for _, item := range items.Content {
		got, err := decodeRoot(file, item)
		if err != nil {
			return nil, err
		}
		objs = append(objs, got...)
	}
	return objs, nil
}

// isListKind reports kinds kustomize and kubectl expand: List and the typed lists (ConfigMapList).
func isListKind(kind string) bool { return strings.HasSuffix(kind, "List") }

func decodeObject(file string, n *yaml.Node) (Object, error) {
	line := n.Line
	if n.Kind != yaml.MappingNode {
		return Object{}, fmt.Errorf("%s:%d: not a Kubernetes object: the document is a %s, not a mapping", file, line, nodeKind(n))
	}
	budget := maxNodes
	raw, err := toValue(n, &budget, 0)
	if err != nil {
		return Object{}, fmt.Errorf("%s:%w", file, err)
	}
	m, _ := raw.(map[string]any)
	obj := Object{Object: m, Origin: Origin{File: file, Line: line}}
	if obj.APIVersion() == "" || obj.Kind() == "" {
		return Object{}, fmt.Errorf("%s:%d: not a Kubernetes object: apiVersion and kind must be set", file, line)
	}
	return obj, nil
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// mappingValue returns the value node of key in mapping node n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// yamlError rewrites `yaml: line 3: msg` as `file:3: msg` so every decode error names its place.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		msg = msg[len(m[0]):]
		if m[1] != "" {
			return fmt.Errorf("%s:%s: %s", file, m[1], msg)
		}
	}
	return fmt.Errorf("%s: %s", file, msg)
}
