package diff

import (
	"fmt"
	"testing"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// BenchmarkObjects diffs two revisions of 10,000 objects where one object changed.
func BenchmarkObjects(b *testing.B) {
	mk := func(replicas int) []manifest.Object {
		objs := make([]manifest.Object, 10000)
		for i := range objs {
			r := 2
			if i == 5000 {
				r = replicas
			}
			objs[i] = manifest.Object{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
				"metadata": map[string]any{"name": fmt.Sprintf("d-%d", i), "namespace": "ns"},
				"spec":     map[string]any{"replicas": r, "template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "x:1"}}}}}}}
		}
		return objs
	}
	base, head := mk(2), mk(3)
	for b.Loop() {
		if cs := Objects("e", base, head); len(cs) != 1 {
			b.Fatalf("%d changes", len(cs))
		}
	}
}
