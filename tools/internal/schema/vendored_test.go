package schema

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// The vendored CRD YAML is applied to a real API server by the end-to-end test; here each one
// must at least be a valid, complete CustomResourceDefinition (strictly: no unknown field)
// and sit in the file its group and plural name.
func TestVendoredCRDsAreValid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "schemas/crds/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vendored CRDs (%v): run make schemas", err)
	}
	var objs []manifest.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obj := manifest.Object{Object: m, Origin: manifest.Origin{File: filepath.Base(f)}}
		spec, _ := m["spec"].(map[string]any)
		names, _ := spec["names"].(map[string]any)
		if want := spec["group"].(string) + "_" + names["plural"].(string) + ".yaml"; filepath.Base(f) != want {
			t.Errorf("%s holds %s", filepath.Base(f), want)
		}
		objs = append(objs, obj)
	}
	fs, err := newValidator(t, Options{}).Run(context.Background(), objs)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Error(f)
	}
}

// Every vendored schema must compile: kubeconform treats a schema it cannot compile as
// missing, so a broken file would otherwise surface only as "schema-missing" on some later
// object. One object per schema file; any finding but schema-missing proves the schema loaded.
func TestVendoredSchemasCompile(t *testing.T) {
	var objs []manifest.Object
	add := func(apiVersion, kind, file string) {
		objs = append(objs, manifest.Object{
			Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "x"}},
			Origin: manifest.Origin{File: file},
		})
	}
	core, _ := filepath.Glob(filepath.Join(repoRoot, "schemas/jsonschema/kubernetes/v"+DefaultKubernetesVersion+"-standalone-strict/*.json"))
	for _, f := range core {
		// kind[-group label]-version.json; kubeconform looks files up by the lower-case kind
		// and the group's first label, which is all the name keeps.
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".json"), "-")
		switch len(parts) {
		case 2:
			add(parts[1], parts[0], f)
		case 3:
			add(parts[1]+"/"+parts[2], parts[0], f)
		default:
			t.Errorf("unexpected schema name %s", f)
		}
	}
	crds, _ := filepath.Glob(filepath.Join(repoRoot, "schemas/jsonschema/crds/*/*.json"))
	for _, f := range crds {
		group := filepath.Base(filepath.Dir(f))
		kind, version, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".json"), "_")
		add(group+"/"+version, kind, f)
	}
	if len(core) < 300 || len(crds) < 90 {
		t.Fatalf("%d core and %d CRD schemas: run make schemas", len(core), len(crds))
	}
	fs, err := newValidator(t, Options{}).Run(context.Background(), objs)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == RuleMissing {
			t.Errorf("%s: did not load: %s", f.File, f.Message)
		}
	}
}

// The assumption TestVendoredSchemasCompile rests on: kubeconform reports a schema that does
// not compile as missing.
func TestBrokenSchemaIsMissing(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "schemas/jsonschema/kubernetes/v1.34.4-standalone-strict")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "configmap-v1.json"), []byte(`{"type": 5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := newValidator(t, Options{Root: root}).Run(context.Background(),
		[]manifest.Object{object(t, configMap, "cm.yaml", 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule != RuleMissing {
		t.Errorf("findings %v, want one %s", fs, RuleMissing)
	}
}
