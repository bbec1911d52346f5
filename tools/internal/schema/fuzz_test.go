package schema

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// FuzzRun feeds arbitrary JSON objects to the stage: whatever the object, the result is
// findings, never an error or a panic. go test runs the seeds; go test -fuzz FuzzRun explores.
func FuzzRun(f *testing.F) {
	for _, seed := range []string{
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"a":"b"}}`,
		`{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"x","template":[]}}`,
		`{"apiVersion":"v1","kind":"Secret","sops":{"mac":1},"metadata":{"annotations":{"a/b":1}}}`,
		`{"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization","spec":{"interval":5}}`,
		`{"apiVersion":"v1","kind":"Widget"}`,
		`{"kind":7}`,
		`{}`,
	} {
		f.Add(seed)
	}
	v := newValidator(f, Options{Workers: 1})
	f.Fuzz(func(t *testing.T, doc string) {
		var m map[string]any
		if json.Unmarshal([]byte(doc), &m) != nil {
			return
		}
		if _, err := v.Run(context.Background(), []manifest.Object{{Object: m}}); err != nil {
			t.Fatalf("Run(%s): %v", doc, err)
		}
	})
}

// FuzzErrText: the error-text parser never panics and only reports well-formed entries.
func FuzzErrText(f *testing.F) {
	f.Add("jsonschema validation failed with 'x#' - at '/spec': validation failed   - at '/spec/a': got string, want integer")
	f.Add(` - at '/a\'b': x     - at '': y - at '`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range detailedErrors(parseErrText(s)) {
			if e.depth < 1 {
				t.Fatalf("entry %+v has depth < 1", e)
			}
		}
	})
}
