package policy_test

import (
	"fmt"
	"testing"

	"github.com/zavestudios/platform/tools/internal/manifest"
	"github.com/zavestudios/platform/tools/internal/policy"
)

// benchObjects builds an environment of namespaces × (Namespace, NetworkPolicy, and per app a
// Deployment, Service, PodDisruptionBudget, ConfigMap and Secret), every fifth app breaking a few
// rules so findings are produced too.
func benchObjects(tb testing.TB, namespaces, apps int) []manifest.Object {
	tb.Helper()
	base := web(tb)
	byKind := map[string]manifest.Object{}
	for _, o := range base {
		byKind[o.Kind()] = o
	}
	var objs []manifest.Object
	add := func(kind, namespace, name string, i int, edits ...func(map[string]any)) {
		o := byKind[kind]
		obj := deepCopy(o.Object).(map[string]any)
		meta := obj["metadata"].(map[string]any)
		if kind == "Namespace" {
			meta["name"] = namespace
		} else {
			meta["namespace"] = namespace
			meta["name"] = name
		}
		for _, e := range edits {
			e(obj)
		}
		objs = append(objs, manifest.Object{Object: obj, Origin: manifest.Origin{File: "apps/" + namespace + ".yaml", Line: 1 + 40*i}})
	}
	for n := range namespaces {
		ns := fmt.Sprintf("ns%03d", n)
		add("Namespace", ns, "", 0)
		add("NetworkPolicy", ns, "default-deny", 1)
		for a := range apps {
			app := fmt.Sprintf("app%02d", a)
			bad := a%5 == 0
			labels := func(obj map[string]any) {
				if err := set(obj, "/spec/template/metadata/labels/app.kubernetes.io~1name", app); err != nil {
					tb.Fatal(err)
				}
				if bad {
					must(tb, set(obj, "/spec/template/spec/containers/0/image", "nginx:latest"))
					must(tb, set(obj, "/spec/template/spec/hostNetwork", true))
				}
			}
			selector := func(obj map[string]any) {
				if kind, _ := obj["kind"].(string); kind == "Service" {
					must(tb, set(obj, "/spec/selector/app.kubernetes.io~1name", app))
				} else {
					must(tb, set(obj, "/spec/selector/matchLabels/app.kubernetes.io~1name", app))
				}
			}
			add("Deployment", ns, app, 2+5*a, labels)
			add("Service", ns, app, 3+5*a, selector)
			add("PodDisruptionBudget", ns, app, 4+5*a, selector)
			add("Secret", ns, app, 5+5*a)
			objs = append(objs, manifest.Object{Object: map[string]any{
				"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"name": app, "namespace": ns},
				"data":     map[string]any{"config.yaml": "x: 1"},
			}, Origin: manifest.Origin{File: "apps/" + ns + ".yaml", Line: 6 + 5*a}})
		}
	}
	return objs
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkRun evaluates 3,040 objects (20 namespaces of 30 apps). workers=1 is the sequential
// baseline; workers=0 uses GOMAXPROCS (vary it with -cpu). Besides wall time it reports CPU time
// per run, the steadier number on a shared machine.
func BenchmarkRun(b *testing.B) {
	objs := benchObjects(b, 20, 30)
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("objects=%d/workers=%d", len(objs), workers), func(b *testing.B) {
			e := newEngine(b, policy.Options{Workers: workers})
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				fs, err := e.Run(b.Context(), objs)
				if err != nil {
					b.Fatal(err)
				}
				if len(fs) == 0 {
					b.Fatal("no findings")
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(objs)), "µs/object")
		})
	}
}

// BenchmarkNew loads and compiles the repository's policies and prepares the queries: what
// every environment of a run would pay without policy.Compile.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newEngine(b, policy.Options{})
	}
}

// BenchmarkNewCompiled prepares an engine over policies compiled once (policy.Compile), as the
// environments after the first in a run do.
func BenchmarkNewCompiled(b *testing.B) {
	rules, err := policy.Compile(policiesDir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		newEngine(b, policy.Options{Rules: rules})
	}
}
