package schemagen

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// get walks a decoded schema by keys, failing the test on a missing step.
func get(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("at %q: %T is not an object", k, v)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("no key %q among %v", k, slices.Sorted(maps.Keys(m)))
		}
	}
	return v
}

// normalise round-trips through JSON so expectations can be written with plain literals
// (json.Number and float64 alike).
func normalise(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenAPISchemas(t *testing.T) {
	schemas, err := openAPISchemas(readFixture(t, "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("one file per group/version/kind, kubeconform names", func(t *testing.T) {
		want := []string{"configmap-v1.json", "deleteoptions-v1.json", "deleteoptions-widgets-v1.json", "widget-widgets-v1.json"}
		if diff := cmp.Diff(want, slices.Sorted(maps.Keys(schemas))); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	widget := schemas["widget-widgets-v1.json"]
	spec := func(prop string) any { return normalise(t, get(t, widget, "properties", "spec", "properties", prop)) }

	tests := []struct {
		name string
		got  any
		want any
	}{
		{
			name: "$ref inlined, its description winning, strict and nullable inside",
			got:  normalise(t, get(t, widget, "properties", "metadata")),
			want: map[string]any{
				"description":          "Standard object metadata.",
				"type":                 []any{"object", "null"},
				"additionalProperties": false,
				"properties": map[string]any{
					"name":   map[string]any{"description": "Name.", "type": []any{"string", "null"}},
					"labels": map[string]any{"additionalProperties": map[string]any{"type": "string"}, "type": []any{"object", "null"}},
				},
			},
		},
		{
			name: "int-or-string accepts both",
			got:  spec("port"),
			want: map[string]any{"description": "Port by number or name.",
				"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}},
		},
		{
			name: "quantity accepts numbers, as the v3 document says",
			got:  spec("memory"),
			want: map[string]any{"description": "Quantity is a fixed-point number.",
				"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}},
		},
		{name: "required property is not nullable", got: spec("size"), want: map[string]any{"format": "int32", "type": "integer"}},
		{name: "optional property is nullable", got: spec("name"), want: map[string]any{"type": []any{"string", "null"}}},
		{
			name: "required list applies per object",
			got:  normalise(t, get(t, widget, "properties", "spec", "properties", "tags", "items", "properties")),
			want: map[string]any{"key": map[string]any{"type": "string"}, "value": map[string]any{"type": []any{"string", "null"}}},
		},
		{
			name: "preserve-unknown-fields stays open",
			got:  spec("raw"),
			want: map[string]any{"properties": map[string]any{"known": map[string]any{"type": []any{"string", "null"}}},
				"type": []any{"object", "null"}, "x-kubernetes-preserve-unknown-fields": true},
		},
		{name: "a field named type is a field", got: spec("type"), want: map[string]any{"description": "A field named type.", "type": []any{"string", "null"}}},
		{name: "a field named $ref is a field", got: spec("$ref"), want: map[string]any{"description": "A field named $ref.", "type": []any{"string", "null"}}},
		{
			name: "recursive $ref becomes a schema that accepts anything",
			got:  spec("schema"),
			want: map[string]any{
				"description":          "Props refers to itself, as JSONSchemaProps does.",
				"type":                 []any{"object", "null"},
				"additionalProperties": false,
				"properties": map[string]any{
					"items":      map[string]any{"description": "Items."},
					"properties": map[string]any{"additionalProperties": map[string]any{}, "type": []any{"object", "null"}},
				},
			},
		},
		{name: "root is strict", got: get(t, widget, "additionalProperties"), want: false},
		{name: "kind pinned", got: normalise(t, get(t, widget, "properties", "kind", "enum")), want: []any{"Widget"}},
		{name: "apiVersion pinned", got: normalise(t, get(t, widget, "properties", "apiVersion", "enum")), want: []any{"widgets.example.com/v1"}},
		{name: "core apiVersion pinned", got: normalise(t, get(t, schemas["configmap-v1.json"], "properties", "apiVersion", "enum")), want: []any{"v1"}},
		{name: "each GVK of a shared definition pinned to its own group",
			got: normalise(t, get(t, schemas["deleteoptions-widgets-v1.json"], "properties", "apiVersion", "enum")), want: []any{"widgets.example.com/v1"}},
		{name: "no $schema key", got: slices.Contains(slices.Collect(maps.Keys(widget)), "$schema"), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("large integers kept exactly", func(t *testing.T) {
		enc, err := encodeJSON(schemas["configmap-v1.json"])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(enc), `"maximum": 9223372036854775807`) {
			t.Error("maximum 9223372036854775807 was not kept exactly")
		}
	})
}

func TestOpenAPISchemasErrors(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{name: "not JSON", doc: `{`, wantErr: "unexpected EOF"},
		{
			name:    "unknown definition",
			doc:     `{"definitions": {"a.A": {"properties": {"b": {"$ref": "#/definitions/b.B"}}, "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "A"}]}}}`,
			wantErr: "definition a.A: $ref to unknown definition b.B",
		},
		{
			name:    "external $ref",
			doc:     `{"definitions": {"a.A": {"properties": {"b": {"$ref": "other.json#/B"}}, "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "A"}]}}}`,
			wantErr: "unsupported $ref other.json#/B",
		},
		{
			name: "two definitions, one file",
			doc: `{"definitions": {
				"a.A": {"x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "A"}]},
				"b.A": {"x-kubernetes-group-version-kind": [{"group": "apps.example.com", "version": "v1", "kind": "A"}]}}}`,
			wantErr: "definitions a.A and b.A both map to a-apps-v1.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openAPISchemas([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
