package schema

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

func TestRun(t *testing.T) {
	v := newValidator(t, Options{}) // shared: the cases also exercise schema reuse
	const file, line = "apps/web/site.yaml", 7
	invalid := func(object, field, msg string) finding.Finding {
		return finding.Finding{Stage: Stage, Severity: finding.Error, File: file, Line: line,
			Object: object, Field: field, Rule: RuleInvalid, Message: msg}
	}
	const site = "apps/v1/Deployment/web/site"
	const apps = "kustomize.toolkit.fluxcd.io/v1/Kustomization/flux-system/apps"

	tests := []struct {
		name string
		doc  string
		want []finding.Finding
	}{
		{name: "valid Deployment", doc: deployment},
		{name: "valid Flux Kustomization", doc: kustomization},
		{name: "valid HelmRelease with free-form values", doc: helmRelease},
		{
			name: "misspelt Deployment field",
			doc:  strings.Replace(deployment, "replicas: 2", "replicsa: 2", 1),
			want: []finding.Finding{invalid(site, "/spec/replicsa", "additional properties 'replicsa' not allowed")},
		},
		{
			name: "misspelt required Kustomization field",
			doc:  strings.Replace(kustomization, "prune: true", "prnue: true", 1),
			want: []finding.Finding{
				invalid(apps, "/spec", "missing property 'prune'"),
				invalid(apps, "/spec/prnue", "additional properties 'prnue' not allowed"),
			},
		},
		{
			name: "two unknown fields in one object are two findings",
			doc:  strings.Replace(deployment, "replicas: 2", "replicsa: 2\n  paused2: true", 1),
			want: []finding.Finding{
				invalid(site, "/spec/paused2", "additional properties 'paused2' not allowed"),
				invalid(site, "/spec/replicsa", "additional properties 'replicsa' not allowed"),
			},
		},
		{
			name: "wrong type",
			doc:  strings.Replace(deployment, "replicas: 2", "replicas: two", 1),
			want: []finding.Finding{invalid(site, "/spec/replicas", "got string, want null or integer")},
		},
		{
			name: "wrong type and misspelling under one parent are both reported",
			doc:  strings.Replace(deployment, "replicas: 2", "replicas: two\n  replicsa: 2", 1),
			want: []finding.Finding{
				invalid(site, "/spec/replicas", "got string, want null or integer"),
				invalid(site, "/spec/replicsa", "additional properties 'replicsa' not allowed"),
			},
		},
		{
			name: "int-or-string rejects a boolean",
			doc:  strings.Replace(deployment, "maxSurge: 1", "maxSurge: true", 1),
			want: []finding.Finding{invalid(site, "/spec/strategy/rollingUpdate/maxSurge",
				"'oneOf' failed, none matched: got boolean, want string; got boolean, want integer")},
		},
		{
			name: "wrong type in a CRD",
			doc:  strings.Replace(kustomization, "prune: true", "prune: yes please", 1),
			want: []finding.Finding{invalid(apps, "/spec/prune", "got string, want boolean")},
		},
		{
			name: "key with a slash is escaped in the pointer",
			doc:  strings.Replace(deployment, "labels: {app.kubernetes.io/name: site}", "labels: {app.kubernetes.io/name: 5}", 1),
			want: []finding.Finding{invalid(site, "/metadata/labels/app.kubernetes.io~1name", "got number, want string")},
		},
		{
			name: "unknown top-level field",
			doc:  "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: web}\nstringData: {password: x}\nbogus: 1\n",
			want: []finding.Finding{invalid("v1/Secret/web/db", "/bogus", "additional properties 'bogus' not allowed")},
		},
		{
			name: "SOPS metadata is not a schema error",
			doc: `
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: web}
type: Opaque
data:
  token: ENC[AES256_GCM,data:pX3u9w==,iv:1nQ=,tag:Vg==,type:str]
stringData:
  password: ENC[AES256_GCM,data:Tr7o=,iv:1nQ=,tag:Vg==,type:str]
sops:
  age:
    - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
      enc: "-----BEGIN AGE ENCRYPTED FILE-----"
  lastmodified: "2025-11-22T15:00:00Z"
  mac: ENC[AES256_GCM,data:abc=,type:str]
  encrypted_regex: ^(data|stringData)$
  version: 3.9.0
`,
		},
		{
			name: "kind without a schema",
			doc:  "apiVersion: widgets.example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
			want: []finding.Finding{{Stage: Stage, Severity: finding.Error, File: file, Line: line,
				Object: "widgets.example.com/v1/Widget/w", Rule: RuleMissing,
				Message: "no schema for widgets.example.com/v1 Widget (Kubernetes 1.34.4, or a CRD vendored by make schemas)"}},
		},
		{
			name: "CRD version that is no longer served has no schema",
			doc:  "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: GitRepository\nmetadata: {name: platform, namespace: flux-system}\n",
			want: []finding.Finding{{Stage: Stage, Severity: finding.Error, File: file, Line: line,
				Object: "source.toolkit.fluxcd.io/v1beta2/GitRepository/flux-system/platform", Rule: RuleMissing,
				Message: "no schema for source.toolkit.fluxcd.io/v1beta2 GitRepository (Kubernetes 1.34.4, or a CRD vendored by make schemas)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Run(context.Background(), []manifest.Object{object(t, tt.doc, file, line)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// Odd input is a finding about the object, never a panic or an error.
func TestRunOddInput(t *testing.T) {
	v := newValidator(t, Options{})
	malformed := func(object, field, msg string) []finding.Finding {
		return []finding.Finding{{Stage: Stage, Severity: finding.Error, File: "odd.yaml", Line: 1,
			Object: object, Field: field, Rule: RuleMalformed, Message: msg}}
	}
	tests := []struct {
		name string
		obj  map[string]any
		want []finding.Finding
	}{
		{name: "nil object", obj: nil, want: malformed("//", "", "empty object")},
		{name: "empty object", obj: map[string]any{}, want: malformed("//", "", "empty object")},
		{
			name: "no kind",
			obj:  map[string]any{"apiVersion": "v1", "metadata": map[string]any{"name": "x"}},
			want: malformed("v1//x", "/kind", "no kind, or kind is not a string"),
		},
		{
			name: "kind is not a string",
			obj:  map[string]any{"apiVersion": "v1", "kind": 3},
			want: malformed("v1//", "/kind", "no kind, or kind is not a string"),
		},
		{
			name: "no apiVersion",
			obj:  map[string]any{"kind": "ConfigMap"},
			want: malformed("/ConfigMap/", "/apiVersion", "no apiVersion, or apiVersion is not a string"),
		},
		{
			name: "kind that is no name",
			obj:  map[string]any{"apiVersion": "v1", "kind": "../../x"},
			want: malformed("v1/../../x/", "/kind", `kind "../../x" is not a Kubernetes kind name`),
		},
		{
			name: "apiVersion that is no group/version",
			obj:  map[string]any{"apiVersion": "../../../tmp/v1", "kind": "ConfigMap"},
			want: malformed("../../../tmp/v1/ConfigMap/", "/apiVersion", `apiVersion "../../../tmp/v1" is not [group/]version`),
		},
		{
			name: "value JSON cannot hold",
			obj:  map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"x": math.NaN()}},
			want: malformed("v1/ConfigMap/", "", "cannot encode object: json: unsupported value: NaN"),
		},
		{
			name: "metadata is not a map",
			obj:  map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": "cm"},
			want: []finding.Finding{{Stage: Stage, Severity: finding.Error, File: "odd.yaml", Line: 1,
				Object: "v1/ConfigMap/", Field: "/metadata", Rule: RuleInvalid, Message: "got string, want null or object"}},
		},
		{
			name: "list where a map belongs",
			obj:  map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": []any{"a", 1}},
			want: []finding.Finding{{Stage: Stage, Severity: finding.Error, File: "odd.yaml", Line: 1,
				Object: "v1/ConfigMap/", Field: "/data", Rule: RuleInvalid, Message: "got array, want null or object"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := manifest.Object{Object: tt.obj, Origin: manifest.Origin{File: "odd.yaml", Line: 1}}
			got, err := v.Run(context.Background(), []manifest.Object{obj})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllowMissing(t *testing.T) {
	v := newValidator(t, Options{AllowMissing: []string{
		"Widget",                                // any group
		"kustomize.config.k8s.io/Kustomization", // group/kind
		"gadgets.example.com/v1/Gadget",         // apiVersion/kind
	}})
	objs := []manifest.Object{
		object(t, "apiVersion: widgets.example.com/v1\nkind: Widget\nmetadata: {name: a}", "a.yaml", 1),
		object(t, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]", "kustomization.yaml", 1),
		object(t, "apiVersion: gadgets.example.com/v1\nkind: Gadget\nmetadata: {name: g}", "g.yaml", 1),
		object(t, "apiVersion: gadgets.example.com/v2\nkind: Gadget\nmetadata: {name: g}", "g2.yaml", 1),
	}
	got, err := v.Run(context.Background(), objs)
	if err != nil {
		t.Fatal(err)
	}
	want := []finding.Finding{{Stage: Stage, Severity: finding.Error, File: "g2.yaml", Line: 1,
		Object: "gadgets.example.com/v2/Gadget/g", Rule: RuleMissing,
		Message: "no schema for gadgets.example.com/v2 Gadget (Kubernetes 1.34.4, or a CRD vendored by make schemas)"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestRunSortsAndKeepsInput(t *testing.T) {
	v := newValidator(t, Options{Workers: 3})
	bad := strings.Replace(deployment, "replicas: 2", "replicsa: 2", 1)
	sops := object(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nsops: {version: 3.9.0}", "s.yaml", 1)
	objs := []manifest.Object{
		object(t, bad, "z.yaml", 1),
		object(t, bad, "a.yaml", 30),
		sops,
		object(t, bad, "a.yaml", 2),
	}
	got, err := v.Run(context.Background(), objs)
	if err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, f := range got {
		locs = append(locs, f.Location())
	}
	if diff := cmp.Diff([]string{"a.yaml:2", "a.yaml:30", "z.yaml:1"}, locs); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if _, ok := sops.Object["sops"]; !ok {
		t.Error("Run removed the sops key from the caller's object")
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "default version", opts: Options{Root: repoRoot}},
		{name: "version with v", opts: Options{Root: repoRoot, KubernetesVersion: "v1.34.4"}},
		{name: "version not vendored", opts: Options{Root: repoRoot, KubernetesVersion: "1.20.0"}, wantErr: "no Kubernetes 1.20.0 schemas"},
		{name: "root without schemas", opts: Options{Root: t.TempDir()}, wantErr: "no Kubernetes 1.34.4 schemas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("New: got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	v := newValidator(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := v.Run(ctx, []manifest.Object{object(t, deployment, "d.yaml", 1)})
	if err == nil {
		t.Fatal("Run with a cancelled context: want an error")
	}
}
