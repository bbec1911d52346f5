// Package schema is the schema stage: it checks every object against the vendored JSON schemas
// (schemas/jsonschema, written by `make schemas`) with kubeconform's validator in strict mode,
// so a misspelt field, a wrong type or a kind nobody has a schema for is a finding before
// anything reaches a cluster.
package schema

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/yannh/kubeconform/pkg/validator"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// Stage names this stage in findings.
const Stage = "schema"

// DefaultKubernetesVersion is the API both clusters serve (k3s v1.34.4+k3s1, EKS 1.34).
const DefaultKubernetesVersion = "1.34.4"

// Rules of the findings this stage reports.
const (
	RuleInvalid   = "schema-invalid"   // the object breaks its schema
	RuleMissing   = "schema-missing"   // no schema for the object's apiVersion and kind
	RuleMalformed = "schema-malformed" // not an object that can be validated (no kind, …)
)

// Schema locations relative to the repository root, in kubeconform's template syntax. CRDs are
// looked up first: their path holds the full group, while a core file name holds only the
// group's first label, so a CRD group such as apps.example.com could otherwise be matched by
// the core apps file of the same kind.
const (
	CRDLocation        = "schemas/jsonschema/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
	KubernetesLocation = "schemas/jsonschema/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)

// Options configure New.
type Options struct {
	// Root is the repository root the schema locations are resolved against.
	Root string
	// KubernetesVersion selects the core schemas, e.g. "1.34.4" (DefaultKubernetesVersion if
	// empty; a leading v is accepted).
	KubernetesVersion string
	// AllowMissing lists kinds that may have no schema, as Kind, group/Kind or apiVersion/Kind
	// (e.g. "Kustomization", "kustomize.config.k8s.io/Kustomization").
	AllowMissing []string
	// Workers bounds how many objects are validated at once (GOMAXPROCS if zero).
	Workers int
}

// Validator validates objects. Each schema is compiled once, on first use, and kept for the
// Validator's lifetime; Run may be called many times and from several goroutines.
type Validator struct {
	kc      validator.Validator
	allow   map[string]bool
	workers int
	version string

	mu sync.Mutex
	// first holds one Once per apiVersion/kind: the first object of a kind is validated alone
	// while the others wait, so its schema is compiled once and cached, not once per worker
	// that happened to meet the kind at the same time.
	first map[string]*sync.Once
}

// New prepares a validator over the schemas under opts.Root.
func New(opts Options) (*Validator, error) {
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if strings.Contains(root, "{{") {
		return nil, fmt.Errorf("schema: root %s contains {{, which kubeconform would read as a template", root)
	}
	version := strings.TrimPrefix(opts.KubernetesVersion, "v")
	if version == "" {
		version = DefaultKubernetesVersion
	}
	dir := filepath.Join(root, "schemas", "jsonschema", "kubernetes", "v"+version+"-standalone-strict")
	if _, err := os.Stat(dir); err != nil {
		// Without this check a wrong version would make every core object "schema-missing".
		return nil, fmt.Errorf("schema: no Kubernetes %s schemas (run make schemas): %w", version, err)
	}

	kc, err := validator.New([]string{
		filepath.Join(root, filepath.FromSlash(CRDLocation)),
		filepath.Join(root, filepath.FromSlash(KubernetesLocation)),
	}, validator.Opts{
		Strict:            true,
		KubernetesVersion: version,
		// A missing schema comes back as Skipped, which this stage turns into a finding or,
		// for allowed kinds, into nothing; SkipKinds stays empty, so Skipped means missing.
		IgnoreMissingSchemas: true,
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	allow := make(map[string]bool, len(opts.AllowMissing))
	for _, k := range opts.AllowMissing {
		allow[strings.TrimSpace(k)] = true
	}
	return &Validator{kc: kc, allow: allow, workers: workers, version: version, first: make(map[string]*sync.Once)}, nil
}

// Run validates objs in parallel and returns the findings sorted. An error means the stage
// itself failed (a schema file could not be read), not that an object is wrong.
func (v *Validator) Run(ctx context.Context, objs []manifest.Object) ([]finding.Finding, error) {
	results := make([][]finding.Finding, len(objs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	jobs := make(chan int)
	for range min(v.workers, len(objs)) {
		wg.Go(func() {
			for i := range jobs {
				fs, err := v.validate(objs[i])
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					continue
				}
				results[i] = fs
			}
		})
	}
feed:
	for i := range objs {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}

	var out []finding.Finding
	for _, fs := range results {
		out = append(out, fs...)
	}
	finding.Sort(out)
	return out, nil
}

// allowedMissing reports whether AllowMissing names the kind.
func (v *Validator) allowedMissing(apiVersion, kind string) bool {
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		group = ""
	}
	return v.allow[kind] || v.allow[group+"/"+kind] || v.allow[apiVersion+"/"+kind]
}
