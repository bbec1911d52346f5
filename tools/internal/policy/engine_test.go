package policy_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
	"github.com/zavestudios/platform/tools/internal/policy"
)

const webFile = "testdata/web.yaml"

var (
	homelab = map[string]any{
		"name":              "homelab",
		"registries":        []any{"registry.homelab.zavestudios.dev"},
		"allowLoadBalancer": false,
	}
	aws = map[string]any{
		"name":              "aws",
		"registries":        []any{"123456789012.dkr.ecr.us-east-1.amazonaws.com"},
		"allowLoadBalancer": true,
	}
	// ignoreMessage keeps the tests about rule, object, field and location; the Rego unit tests
	// pin the wording.
	ignoreMessage = cmpopts.IgnoreFields(finding.Finding{}, "Message")
)

// web decodes testdata/web.yaml, a namespace that passes every rule.
func web(t testing.TB) []manifest.Object {
	t.Helper()
	data, err := os.ReadFile(webFile)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := manifest.Decode(webFile, data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// line is where the object with this id starts in web.yaml, as the decoder reports it.
func line(t testing.TB, objs []manifest.Object, id string) int {
	t.Helper()
	for _, o := range objs {
		if o.ID() == id {
			return o.Origin.Line
		}
	}
	t.Fatalf("no object %s", id)
	return 0
}

func newEngine(t testing.TB, opts policy.Options) *policy.Engine {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = policiesDir
	}
	if opts.Env == nil {
		opts.Env = homelab
	}
	e, err := policy.New(t.Context(), opts)
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	return e
}

// edit returns objs with one field of one object changed (value nil deletes it); the other
// objects are shared, the edited one is copied.
func edit(t testing.TB, objs []manifest.Object, id, pointer string, value any) []manifest.Object {
	t.Helper()
	out := slices.Clone(objs)
	for i, o := range out {
		if o.ID() != id {
			continue
		}
		root := deepCopy(o.Object).(map[string]any)
		if err := set(root, pointer, value); err != nil {
			t.Fatalf("edit %s %s: %v", id, pointer, err)
		}
		out[i].Object = root
		return out
	}
	t.Fatalf("no object %s", id)
	return nil
}

func set(root map[string]any, pointer string, value any) error {
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	var cur any = root
	for i, p := range parts {
		p = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if value == nil {
					delete(c, p)
				} else {
					c[p] = value
				}
				return nil
			}
			if _, ok := c[p]; !ok {
				c[p] = map[string]any{}
			}
			cur = c[p]
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n >= len(c) {
				return &os.PathError{Op: "index", Path: pointer, Err: os.ErrNotExist}
			}
			if last {
				c[n] = value
				return nil
			}
			cur = c[n]
		default:
			return &os.PathError{Op: "walk", Path: pointer, Err: os.ErrInvalid}
		}
	}
	return nil
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func TestRunCompliant(t *testing.T) {
	objs := web(t)
	got, err := newEngine(t, policy.Options{}).Run(t.Context(), objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("compliant objects gave findings:\n%s", strings.Join(strings.Fields(fmtFindings(got)), " "))
	}
}

func fmtFindings(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

const (
	deploy = "apps/v1/Deployment/web/site"
	svc    = "v1/Service/web/site"
	secret = "v1/Secret/web/db"
	ns     = "v1/Namespace/web"
	netpol = "networking.k8s.io/v1/NetworkPolicy/web/default-deny"
	pdb    = "policy/v1/PodDisruptionBudget/web/site"
	ctr    = "/spec/template/spec/containers/0"
)

// TestRunFamilies breaks one field per case and expects exactly the finding of that rule, at the
// broken object's file and line.
func TestRunFamilies(t *testing.T) {
	base := web(t)
	type want struct{ object, field, rule string }
	tests := []struct {
		name    string
		env     map[string]any
		id      string // object to edit
		pointer string
		value   any // nil deletes the field
		want    []want
	}{
		{name: "privileged", id: deploy, pointer: ctr + "/securityContext/privileged", value: true,
			want: []want{{deploy, ctr + "/securityContext/privileged", "podsecurity/privileged"}}},
		{name: "hostNetwork", id: deploy, pointer: "/spec/template/spec/hostNetwork", value: true,
			want: []want{{deploy, "/spec/template/spec/hostNetwork", "podsecurity/host-network"}}},
		{name: "seccomp unset", id: deploy, pointer: "/spec/template/spec/securityContext/seccompProfile",
			want: []want{{deploy, ctr + "/securityContext/seccompProfile/type", "podsecurity/seccomp-profile"}}},
		{name: "memory limit", id: deploy, pointer: ctr + "/resources/limits/memory",
			want: []want{{deploy, ctr + "/resources/limits/memory", "resources/memory-limit"}}},
		{name: "latest tag", id: deploy, pointer: ctr + "/image", value: "registry.homelab.zavestudios.dev/zavestudios/site:latest",
			want: []want{{deploy, ctr + "/image", "images/latest-tag"}}},
		{name: "registry", id: deploy, pointer: ctr + "/image", value: "ghcr.io/zavestudios/site:1.4.2",
			want: []want{{deploy, ctr + "/image", "images/registry"}}},
		{name: "registry on aws", env: aws,
			want: []want{{deploy, ctr + "/image", "images/registry"}}},
		{name: "service label", id: svc, pointer: "/metadata/labels/app.kubernetes.io~1part-of",
			want: []want{{svc, "/metadata/labels/app.kubernetes.io~1part-of", "labels/required"}}},
		{name: "plaintext secret", id: secret, pointer: "/data/password", value: "aHVudGVyMg==",
			want: []want{{secret, "/data/password", "secrets/plaintext-value"}}},
		{name: "secret without sops", id: secret, pointer: "/sops",
			want: []want{{secret, "/sops", "secrets/sops"}}},
		{name: "load balancer", id: svc, pointer: "/spec/type", value: "LoadBalancer",
			want: []want{{svc, "/spec/type", "services/load-balancer"}}},
		{name: "load balancer on aws", env: aws, id: svc, pointer: "/spec/type", value: "LoadBalancer",
			want: []want{{deploy, ctr + "/image", "images/registry"}}},
		{name: "selector", id: svc, pointer: "/spec/selector", value: map[string]any{"app.kubernetes.io/name": "sight"},
			want: []want{{svc, "/spec/selector", "services/selector-no-match"}}},
		{name: "network policy", id: netpol, pointer: "/metadata/namespace", value: "other",
			want: []want{{ns, "", "networkpolicy/missing"}}},
		{name: "pdb", id: pdb, pointer: "/spec/selector/matchLabels", value: map[string]any{"app": "other"},
			want: []want{{deploy, "/spec/replicas", "pdb/missing"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := base
			if tt.id != "" {
				objs = edit(t, base, tt.id, tt.pointer, tt.value)
			}
			got, err := newEngine(t, policy.Options{Env: tt.env}).Run(t.Context(), objs)
			if err != nil {
				t.Fatal(err)
			}
			var wantFs []finding.Finding
			for _, w := range tt.want {
				wantFs = append(wantFs, finding.Finding{
					Stage: policy.Stage, Severity: finding.Error, File: webFile, Line: line(t, base, w.object),
					Object: w.object, Field: w.field, Rule: w.rule,
				})
			}
			if diff := cmp.Diff(wantFs, got, ignoreMessage); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			for _, f := range got {
				if f.Message == "" {
					t.Errorf("%s has no message", f.Rule)
				}
			}
		})
	}
}

// TestRunDeterministic: the same objects give the same findings in the same order whatever the
// input order and the number of workers.
func TestRunDeterministic(t *testing.T) {
	objs := edit(t, web(t), deploy, "/spec/template/spec", map[string]any{
		"hostPID":    true,
		"containers": []any{map[string]any{"name": "a", "image": "nginx"}, map[string]any{"name": "b", "image": "busybox:latest"}},
	})
	objs = edit(t, objs, svc, "/metadata/labels", nil)
	want, err := newEngine(t, policy.Options{Workers: 1}).Run(t.Context(), objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 10 {
		t.Fatalf("want many findings to order, got %d", len(want))
	}
	if !slices.IsSortedFunc(want, finding.Compare) {
		t.Errorf("findings not sorted:\n%s", fmtFindings(want))
	}
	reversed := slices.Clone(objs)
	slices.Reverse(reversed)
	e := newEngine(t, policy.Options{Workers: 4})
	for i := range 5 {
		in := objs
		if i%2 == 1 {
			in = reversed
		}
		got, err := e.Run(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("run %d differs (-first +this):\n%s", i, diff)
		}
	}
}

// TestRunOddInput: objects of unexpected shape give findings or nothing, never a panic or error.
func TestRunOddInput(t *testing.T) {
	odd := []manifest.Object{
		{},
		{Object: map[string]any{}},
		{Object: map[string]any{"apiVersion": 1, "kind": []any{"x"}, "metadata": "m"}},
		{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "x", "namespace": "web"},
			"spec": map[string]any{"replicas": "3", "template": map[string]any{"spec": map[string]any{"containers": "app", "volumes": []any{nil, 1}}}}}},
		{Object: map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p", "labels": []any{}},
			"spec": map[string]any{"containers": []any{nil, map[string]any{"securityContext": "x", "resources": 5, "image": int64(3)}}}}},
		{Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": nil, "data": []any{"x"}, "sops": true}},
		{Object: map[string]any{"apiVersion": "v1", "kind": "Service", "spec": map[string]any{"selector": "app=x", "type": 7}}},
		{Object: map[string]any{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "spec": "x"}},
		{Object: map[string]any{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": map[string]any{"scaleTargetRef": 1}}},
		// A Go value that is not plain JSON data is converted, not rejected.
		{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]string{"k": "v"}, "n": int32(4)}},
	}
	if _, err := newEngine(t, policy.Options{}).Run(t.Context(), odd); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestRunUnconvertible: a value OPA cannot represent is an error naming the object.
func TestRunUnconvertible(t *testing.T) {
	objs := []manifest.Object{{
		Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "x": make(chan int)},
		Origin: manifest.Origin{File: "a.yaml", Line: 3},
	}}
	_, err := newEngine(t, policy.Options{}).Run(t.Context(), objs)
	if err == nil || !strings.Contains(err.Error(), "v1/ConfigMap/c (a.yaml:3)") {
		t.Fatalf("Run error = %v, want one naming v1/ConfigMap/c (a.yaml:3)", err)
	}
}

func TestRunCanceled(t *testing.T) {
	e := newEngine(t, policy.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.Run(ctx, web(t)); err == nil {
		t.Fatal("Run with a canceled context succeeded")
	}
}

func TestRunEmpty(t *testing.T) {
	got, err := newEngine(t, policy.Options{}).Run(t.Context(), nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("Run(nil) = %v, %v; want nothing", got, err)
	}
}
