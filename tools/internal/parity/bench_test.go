package parity

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// BenchmarkRun pairs and compares two environments of 10,000 objects each, every one differing
// in a declared field: pairing is a map lookup, so the cost grows linearly.
func BenchmarkRun(b *testing.B) {
	mk := func(class string) []manifest.Object {
		objs := make([]manifest.Object, 10000)
		for i := range objs {
			objs[i] = obj("PersistentVolumeClaim", fmt.Sprintf("ns-%d", i%100), fmt.Sprintf("pvc-%d", i),
				map[string]any{"spec": map[string]any{"storageClassName": class, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}})
		}
		return objs
	}
	a, c := Env{"a", mk("local-path")}, Env{"b", mk("gp3")}
	opts := Options{Now: time.Now(), Declarations: []Declaration{{ID: "pvc", Kind: "PersistentVolumeClaim", Path: "/spec/storageClassName"}}}
	for b.Loop() {
		if _, fs, err := Run(context.Background(), opts, a, c); err != nil || len(fs) != 0 {
			b.Fatal(err, fs)
		}
	}
}
