package build

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// TestStoreSorted checks that store.sorted orders objects exactly as sorting them with
// manifest.Compare does, ties (the same key, file and line) kept in the order they were stored.
func TestStoreSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := newStore()
	for i := range 500 {
		o := manifest.Object{Object: map[string]any{
			"apiVersion": []string{"v1", "apps/v1", "example.com/v1"}[r.IntN(3)],
			"kind":       []string{"ConfigMap", "Deployment"}[r.IntN(2)],
			"metadata":   map[string]any{"name": fmt.Sprint("n", r.IntN(20)), "namespace": []string{"", "a", "b"}[r.IntN(3)]},
			"seq":        int64(i),
		}, Origin: manifest.Origin{File: fmt.Sprint("f", r.IntN(3)), Line: r.IntN(4)}}
		s.add(o)
	}
	want := slices.Clone(s.list)
	slices.SortStableFunc(want, manifest.Compare)
	if diff := cmp.Diff(want, s.sorted()); diff != "" {
		t.Errorf("sorted (-SortStableFunc +sorted):\n%s", diff)
	}
}
