package schema

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// benchObjects is a rendered platform in miniature: n objects cycling through Deployments,
// Services, ConfigMaps, Flux Kustomizations and HelmReleases, one in 50 with a misspelt field.
func benchObjects(b *testing.B, n int) []manifest.Object {
	service := "apiVersion: v1\nkind: Service\nmetadata: {name: NAME, namespace: web}\nspec: {selector: {app: site}, ports: [{port: 80, targetPort: http}]}\n"
	docs := []string{deployment, service, configMap, kustomization, helmRelease}
	objs := make([]manifest.Object, n)
	for i := range objs {
		doc := docs[i%len(docs)]
		doc = strings.Replace(doc, "name: ", fmt.Sprintf("name: n%d-", i), 1)
		objs[i] = object(b, doc, fmt.Sprintf("apps/%d.yaml", i%40), i)
		if i%50 == 0 {
			objs[i].Object["spec2"] = map[string]any{}
		}
	}
	return objs
}

// BenchmarkValidate measures the steady state: a Validator reused across runs, schemas already
// compiled. Run with -cpu 1,2 to see the scaling over cores.
func BenchmarkValidate(b *testing.B) {
	objs := benchObjects(b, 3000)
	v := newValidator(b, Options{})
	ctx := context.Background()
	fs, err := v.Run(ctx, objs) // compiles the schemas outside the timing
	if err != nil {
		b.Fatal(err)
	}
	if len(fs) != len(objs)/50 {
		b.Fatalf("%d findings, want %d", len(fs), len(objs)/50)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Run(ctx, objs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(objs)*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkValidateCold is one CLI run: New, then the first Run, compiling five schemas.
func BenchmarkValidateCold(b *testing.B) {
	objs := benchObjects(b, 3000)
	ctx := context.Background()
	for b.Loop() {
		v := newValidator(b, Options{})
		if _, err := v.Run(ctx, objs); err != nil {
			b.Fatal(err)
		}
	}
}
