// Package validate checks every object an environment applies against the vendored JSON schemas
// (kubeconform, strict) and the Rego policies (OPA) in one pass, and points each finding at the
// source that produced it: the CUE line for what render generated, the YAML line otherwise.
package validate

import (
	"context"

	"cuelang.org/go/cue/token"
	"fmt"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/manifest"
	"github.com/zavestudios/platform/tools/internal/policy"
	"github.com/zavestudios/platform/tools/internal/render"
	"github.com/zavestudios/platform/tools/internal/schema"
)

// Options holds the compiled checkers; both are built once and reused for every environment.
type Options struct {
	Schema *schema.Validator
	// Policies builds the policy engine of an environment (its data differs per environment).
	Policies func(env string) (*policy.Engine, error)
	// Model, when set, maps findings on rendered files to the CUE that produced them.
	Model *load.Model
}

// Run validates one environment's objects and returns the findings, sorted.
func Run(ctx context.Context, opts Options, env string, objs []manifest.Object) ([]finding.Finding, error) {
	var fs []finding.Finding
	if opts.Schema != nil {
		got, err := opts.Schema.Run(ctx, objs)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", env, err)
		}
		fs = append(fs, got...)
	}
	if opts.Policies != nil {
		eng, err := opts.Policies(env)
		if err != nil {
			return nil, err
		}
		got, err := eng.Run(ctx, objs)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", env, err)
		}
		fs = append(fs, got...)
	}
	if opts.Model != nil {
		ToSource(opts.Model, fs)
	}
	finding.Sort(fs)
	return slices.CompactFunc(fs, func(a, b finding.Finding) bool { return a == b }), nil
}

// ToSource moves each finding on a rendered file (clusters/<env>/<path>) to the CUE position of
// the field it is about, or of the component or application that rendered the object.
func ToSource(m *load.Model, fs []finding.Finding) {
	for i := range fs {
		toSource(m, &fs[i])
	}
}

func toSource(m *load.Model, f *finding.Finding) {
	rest, ok := strings.CutPrefix(f.File, render.ClustersDir+"/")
	if !ok {
		return
	}
	env, rel, ok := strings.Cut(rest, "/")
	if !ok {
		return
	}
	file := m.Labels("clusters", env, "files", rel)
	if !file.Exists() {
		return // a SOPS file or a kustomization.yaml: its YAML line is the source
	}
	rendered := f.Location()
	var pos token.Pos
	if f.Field != "" {
		pos = m.Source(m.Pointer([]string{"clusters", env, "files", rel, "object"}, f.Field))
	}
	if !pos.IsValid() || isDefinition(m, pos.Filename()) {
		var src string
		if file.LookupPath(pathOf("source")).Decode(&src) == nil {
			pos = m.Source(m.Labels(strings.SplitN(src, ".", 2)...))
		}
	}
	if !pos.IsValid() {
		return
	}
	f.File, f.Line, f.Col = load.Rel(m.Root, pos.Filename()), pos.Line(), pos.Column()
	f.Message += " (rendered at " + rendered + ")"
}

func isDefinition(m *load.Model, filename string) bool {
	rel := load.Rel(m.Root, filename)
	return strings.HasPrefix(rel, "schemas/") && !strings.Contains(strings.TrimPrefix(rel, "schemas/"), "/")
}
