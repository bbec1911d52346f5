package build

import (
	"context"
	"fmt"
	"strings"
	"testing"

	fluxk "github.com/fluxcd/pkg/kustomize"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resource"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// convertCases are documents whose values stress the YAML and JSON round trips AsYAML takes:
// strings YAML 1.1 or 1.2 would type, numbers at the edges of int64 and float64, odd keys and
// multi-line text.
var convertCases = []string{
	`a: [yes, "yes", on, "on", y, n, "n", ~, null, "null", "", '', true, "true", True, FALSE]`,
	`a: [1_000, "1_000", 0o17, "0o17", 017, "017", 0x1F, "0x1F", 0b101, "0b101", +1, "+1", .5, ".5", 1e3, "1e3", "1__0", "-"]`,
	`a: -9223372036854775808`,
	`a: [9007199254740992, -9007199254740992, 9007199254740991.0, 4503599627370497]`,
	`a: [1, -0, 0, 1.0, 3.0, 1.5, -2.5, 1e21, 1e20, 1e-7, 1.5e-5, 2e6, 1234567.5, 9007199254740993, 9223372036854775807, -9223372036854775808, 18446744073709551615, 18446744073709551616, 1152921504606846976.0, 12345678901234567890.0]`,
	`a: [2001-12-14, "2001-12-14", 2001-12-14t21:59:43.10-05:00, 12:30:45, "12:30", 1:20, 190:20:30]`,
	`a: ["<<", "=", "!tag", "&a", "*a", "%x", "@x", "` + "`" + `x", "'", "\"", "\\", "#", "# c", "a # b", "- x", "k: v", "{a}", "[a]", "?", "?x", ":", "|", ">", ",", "a,b"]`,
	`a: [" lead", "trail ", "a\nb", "a \n b", "a\n", "\na", "a\n\n", "\t", "x\ty", "\r\n", "\u007f", "\u0085", "\u2028", "\u2029", "\ufeff", "\u00e9t\u00e9", "\U0001F600", "a\u0000b", "<b>&amp;</b>"]`,
	`"<<": {a: 1}
"~": x
"": empty
"1": one
"true": t
"null": n
"a b": c
"k:v": d
"$x": dollar
"\u00e9": e`,
	`data: {script: "#!/bin/sh\necho ${HOME} $$x\n  indented\n\ttab\n", empty: {}, list: [], nested: [[], [{}], [[1]]]}`,
	`a: !!str 1
b: !!int "2"
c: !!float 3
d: !!binary aGVsbG8=
e: &anchor {x: 1}
f: *anchor`,
}

// TestConvertResource checks convertResource against the detour it replaces: for every
// document, the object is the one manifest.Decode reads from AsYAML, or the conversion declines.
func TestConvertResource(t *testing.T) {
	long := strings.Repeat("k", 1100)
	cases := append([]string{
		"a: " + strings.Repeat("x ", 3000),
		"? " + long + "\n: v",
		"a: " + strings.Repeat("[", 300) + strings.Repeat("]", 300),
	}, convertCases...)
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	for i, c := range cases {
		doc := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + c + "\n"
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rs, err := rf.SliceFromBytes([]byte(doc))
			if err != nil {
				t.Skipf("kustomize cannot read it: %v", err)
			}
			for _, res := range rs {
				checkConvert(t, res)
			}
		})
	}
}

func checkConvert(t *testing.T, res *resource.Resource) {
	t.Helper()
	want, err := decodeResource(res, "f.yaml")
	got, ok := convertResource(res)
	if !ok {
		t.Logf("declined (detour: %d objects, %v)", len(want), err)
		return
	}
	if err != nil || len(want) != 1 {
		t.Fatalf("converted, but the detour gives %d objects, %v", len(want), err)
	}
	if diff := cmp.Diff(want[0].Object, got.obj); diff != "" {
		t.Errorf("object (-detour +converted):\n%s", diff)
	}
}

// FuzzConvertResource compares convertResource with the detour on arbitrary documents, and
// checks that substitution leaves the resources it is skipped for unchanged.
func FuzzConvertResource(f *testing.F) {
	for _, c := range convertCases {
		f.Add(c)
	}
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	f.Fuzz(func(t *testing.T, body string) {
		doc := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + body + "\n"
		if _, err := manifest.Decode("f.yaml", []byte(doc)); err != nil {
			return
		}
		rs, err := rf.SliceFromBytes([]byte(doc))
		if err != nil {
			return
		}
		for _, res := range rs {
			checkConvert(t, res)
			checkSkip(t, res)
			checkSubstituted(t, res)
		}
	})
}

// checkSubstituted checks convertSubstituted against convertResource on what substitution gives.
func checkSubstituted(t *testing.T, res *resource.Resource) {
	t.Helper()
	ks := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "ks", "namespace": "flux-system"},
		"spec":     map[string]any{"postBuild": map[string]any{"substitute": map[string]any{"VAR": "value"}}},
	}}
	client := treeClient{lookup: func(string, string, string) (manifest.Object, bool) { return manifest.Object{}, false }}
	out, err := fluxk.SubstituteVariables(context.Background(), client, ks, res.DeepCopy())
	if err != nil || out == nil {
		return
	}
	got, ok := convertSubstituted(out)
	if !ok {
		return
	}
	want, ok := convertResource(out)
	if !ok {
		t.Fatal("convertSubstituted converts what convertResource declines")
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(converted{})); diff != "" {
		t.Errorf("substituted resource (-convertResource +convertSubstituted):\n%s", diff)
	}
}

// checkSkip checks that SubstituteVariables gives back the object of a resource substitution is
// skipped for.
func checkSkip(t *testing.T, res *resource.Resource) {
	t.Helper()
	ks := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "ks", "namespace": "flux-system"},
		"spec":     map[string]any{"postBuild": map[string]any{"substitute": map[string]any{"VAR": "value"}}},
	}}
	client := treeClient{lookup: func(string, string, string) (manifest.Object, bool) { return manifest.Object{}, false }}
	subst := newSubstitution(context.Background(), client, ks, false)
	before, ok := convertResource(res)
	if !subst.ok || !ok || hasDollar(res.YNode()) || !subst.unchanged(before) {
		return
	}
	out, err := fluxk.SubstituteVariables(context.Background(), client, ks, res.DeepCopy())
	if err != nil {
		t.Fatalf("skipped, but substitution fails: %v", err)
	}
	after, ok := convertResource(out)
	if !ok {
		t.Fatal("skipped, but the substituted resource does not convert")
	}
	if diff := cmp.Diff(before.obj, after.obj); diff != "" {
		t.Errorf("substitution changed the object (-skipped +substituted):\n%s", diff)
	}
}

// TestSubstitutionSkip checks what skipping post-build substitution relies on: for a resource
// without a '$' whose integers survive float64, fluxcd/pkg/kustomize's SubstituteVariables
// gives back the same object.
func TestSubstitutionSkip(t *testing.T) {
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	for i, c := range convertCases {
		doc := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + c + "\n"
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rs, err := rf.SliceFromBytes([]byte(doc))
			if err != nil {
				t.Skipf("kustomize cannot read it: %v", err)
			}
			for _, res := range rs {
				checkSkip(t, res)
				checkSubstituted(t, res)
			}
		})
	}
}

// decodeResource is the detour convertResource avoids: the objects Decode reads from AsYAML.
func decodeResource(res *resource.Resource, file string) ([]manifest.Object, error) {
	y, err := res.AsYAML()
	if err != nil {
		return nil, err
	}
	return manifest.Decode(file, y)
}
