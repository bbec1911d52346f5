package schema

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/yannh/kubeconform/pkg/resource"
	"github.com/yannh/kubeconform/pkg/validator"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: web}\ndata: {a: b}\n"

// copySchema copies one vendored schema file into a scratch root.
func copySchema(t *testing.T, root, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// A schema is read and compiled on first use and then served from memory: once a Validator
// has seen ConfigMap, deleting the file changes nothing for it, while a new Validator over
// the same root finds no schema.
func TestSchemaCachedAcrossRuns(t *testing.T) {
	root := t.TempDir()
	file := copySchema(t, root, "schemas/jsonschema/kubernetes/v1.34.4-standalone-strict/configmap-v1.json")
	v := newValidator(t, Options{Root: root})
	objs := []manifest.Object{object(t, configMap, "cm.yaml", 1)}

	run := func(v *Validator) []finding.Finding {
		t.Helper()
		fs, err := v.Run(context.Background(), objs)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	if fs := run(v); len(fs) != 0 {
		t.Fatalf("first run: %v", fs)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if fs := run(v); len(fs) != 0 {
		t.Errorf("second run after deleting the schema: %v, want none (schema cached)", fs)
	}
	fresh := newValidator(t, Options{Root: root})
	if fs := run(fresh); len(fs) != 1 || fs[0].Rule != RuleMissing {
		t.Errorf("new validator after deleting the schema: %v, want one %s", fs, RuleMissing)
	}
}

// countingKC stands in for kubeconform to observe how the stage calls it.
type countingKC struct {
	mu         sync.Mutex
	calls      int
	inFirst    bool
	overlapped int           // calls that started while the first was still running
	entered    chan struct{} // closed when the first call starts
	release    chan struct{} // the first call returns once this is closed
}

func (c *countingKC) ValidateResource(resource.Resource) validator.Result {
	c.mu.Lock()
	c.calls++
	first := c.calls == 1
	if c.inFirst {
		c.overlapped++
	}
	if first {
		c.inFirst = true
	}
	c.mu.Unlock()
	if first {
		close(c.entered)
		<-c.release
		c.mu.Lock()
		c.inFirst = false
		c.mu.Unlock()
	}
	return validator.Result{Status: validator.Valid}
}

func (c *countingKC) Validate(string, io.ReadCloser) []validator.Result { return nil }
func (c *countingKC) ValidateWithContext(context.Context, string, io.ReadCloser) []validator.Result {
	return nil
}

// While the first object of a kind is being validated (its schema compiled), the other
// workers wait instead of compiling the same schema again.
func TestFirstObjectOfAKindRunsAlone(t *testing.T) {
	kc := &countingKC{entered: make(chan struct{}), release: make(chan struct{})}
	v := &Validator{kc: kc, workers: 4, version: DefaultKubernetesVersion, first: make(map[string]*sync.Once)}
	objs := make([]manifest.Object, 50)
	for i := range objs {
		objs[i] = object(t, configMap, "cm.yaml", i+1)
	}
	done := make(chan error)
	go func() {
		_, err := v.Run(context.Background(), objs)
		done <- err
	}()
	<-kc.entered
	// Give the other workers every chance to (wrongly) start; a correct stage cannot fail here
	// however long this takes, so this is not a timing assertion.
	time.Sleep(50 * time.Millisecond)
	close(kc.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if kc.overlapped != 0 || kc.calls != len(objs) {
		t.Errorf("calls %d (want %d), %d started during the first (want 0)", kc.calls, len(objs), kc.overlapped)
	}
}

// Several goroutines may share one Validator; run with -race.
func TestConcurrentRuns(t *testing.T) {
	v := newValidator(t, Options{Workers: 2})
	var objs []manifest.Object
	for i, doc := range []string{deployment, kustomization, helmRelease, configMap,
		strings.Replace(deployment, "replicas: 2", "replicsa: 2", 1)} {
		for j := range 5 {
			objs = append(objs, object(t, doc, "f.yaml", 10*i+j))
		}
	}
	want, err := v.Run(context.Background(), objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 5 {
		t.Fatalf("baseline: %d findings, want 5", len(want))
	}
	var wg sync.WaitGroup
	results := make([][]finding.Finding, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = v.Run(context.Background(), objs) })
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if diff := cmp.Diff(want, results[i]); diff != "" {
			t.Errorf("run %d (-want +got):\n%s", i, diff)
		}
	}
}

// A schema that exists but cannot be read is a failure of the stage, not a finding.
func TestSchemaReadError(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "schemas/jsonschema/kubernetes/v1.34.4-standalone-strict/configmap-v1.json")
	if err := os.MkdirAll(dir, 0o755); err != nil { // a directory where the file should be
		t.Fatal(err)
	}
	v := newValidator(t, Options{Root: root})
	_, err := v.Run(context.Background(), []manifest.Object{object(t, configMap, "cm.yaml", 1)})
	if err == nil || !strings.Contains(err.Error(), "v1/ConfigMap/web/cfg") {
		t.Fatalf("Run: got %v, want an error naming the object", err)
	}
}

// The fallback for error text in an unexpected format still yields escaped pointers, by
// matching kubeconform's unescaped paths against the object.
func TestInvalidFallback(t *testing.T) {
	data, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{"example.com/owner": 5}}})
	res := validator.Result{
		Status:           validator.Invalid,
		ValidationErrors: []validator.ValidationError{{Path: "/metadata/annotations/example.com/owner", Msg: "got number, want string"}},
	}
	got := invalid(finding.Finding{Stage: Stage}, data, res)
	want := []finding.Finding{{Stage: Stage, Rule: RuleInvalid,
		Field: "/metadata/annotations/example.com~1owner", Message: "got number, want string"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
