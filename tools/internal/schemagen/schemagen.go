// Package schemagen vendors the JSON schemas the schema stage validates against: kubeconform's
// standalone-strict schemas converted from the Kubernetes OpenAPI document, and one schema per
// CRD version, plus the CRD YAML itself. Everything comes from module zips named in
// schemas/jsonschema/sources.yaml, fetched through the Go module proxy, so `make schemas` needs
// no other network access and the output is reviewable and reproducible.
package schemagen

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Options configure Generate.
type Options struct {
	// Root is the repository root; sources and outputs are relative to it.
	Root string
	// Sources is the source list, relative to Root (DefaultSources if empty).
	Sources string
	// Download fetches a module zip (GoModDownload if nil).
	Download Downloader
	// Progress receives one line per source and per note; nil discards them.
	Progress io.Writer
}

// Result counts the generated files.
type Result struct {
	KubernetesSchemas int   // schemas/jsonschema/kubernetes/*/*.json
	CRDSchemas        int   // schemas/jsonschema/crds/*/*.json
	CRDs              int   // schemas/crds/*.yaml
	Bytes             int64 // total size of all generated files
	Written           int   // files created or changed on disk
	Removed           int   // stale files deleted
}

// Files is the number of generated files.
func (r Result) Files() int { return r.KubernetesSchemas + r.CRDSchemas + r.CRDs }

// Generate regenerates every output directory from the source list.
func Generate(ctx context.Context, opts Options) (Result, error) {
	if opts.Sources == "" {
		opts.Sources = DefaultSources
	}
	if opts.Download == nil {
		opts.Download = GoModDownload
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	src, err := ReadSources(filepath.Join(opts.Root, filepath.FromSlash(opts.Sources)))
	if err != nil {
		return Result{}, err
	}

	var res Result
	files := make(map[string][]byte)
	merge := func(m map[string][]byte, origin string) error {
		for name, data := range m {
			if _, dup := files[name]; dup {
				return fmt.Errorf("%s: %s is also produced by an earlier source", origin, name)
			}
			files[name] = data
			res.Bytes += int64(len(data))
			switch {
			case strings.HasPrefix(name, "schemas/jsonschema/kubernetes/"):
				res.KubernetesSchemas++
			case strings.HasPrefix(name, "schemas/jsonschema/crds/"):
				res.CRDSchemas++
			default:
				res.CRDs++
			}
		}
		return nil
	}

	for _, k := range src.Kubernetes {
		out, err := kubernetesSource(ctx, opts, k)
		if err != nil {
			return Result{}, err
		}
		if err := merge(out, k.String()); err != nil {
			return Result{}, err
		}
		fmt.Fprintf(opts.Progress, "%s: %d schemas\n", k.Module, len(out))
	}
	for _, c := range src.CRDs {
		out, err := crdSource(ctx, opts, c)
		if err != nil {
			return Result{}, err
		}
		if err := merge(out, c.String()); err != nil {
			return Result{}, err
		}
		fmt.Fprintf(opts.Progress, "%s: %d files\n", c.Module, len(out))
	}

	st, err := syncTree(opts.Root, files)
	res.Written, res.Removed = st.written, st.removed
	if err != nil {
		return res, fmt.Errorf("write schemas: %w", err)
	}
	return res, nil
}

// fetch downloads a module, checks its hash against the source list, and opens its zip.
func fetch(ctx context.Context, opts Options, m Module) (*moduleZip, error) {
	d, err := opts.Download(ctx, m.Module, m.Version)
	if err != nil {
		return nil, err
	}
	if d.Note != "" {
		fmt.Fprintf(opts.Progress, "%s: note: %s (only files are read from the zip)\n", m, d.Note)
	}
	switch {
	case m.Sum == "":
		fmt.Fprintf(opts.Progress, "%s: note: add `sum: %s` to the source list\n", m, d.Sum)
	case d.Sum != m.Sum:
		return nil, fmt.Errorf("%s: downloaded module has sum %s, the source list says %s", m, d.Sum, m.Sum)
	}
	return openModuleZip(d.Zip, m)
}

func kubernetesSource(ctx context.Context, opts Options, k OpenAPISource) (map[string][]byte, error) {
	z, err := fetch(ctx, opts, k.Module)
	if err != nil {
		return nil, err
	}
	defer func() { _ = z.Close() }()
	data, err := z.read(k.Path)
	if err != nil {
		return nil, err
	}
	schemas, err := openAPISchemas(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.Module, k.Path, err)
	}
	dir := "schemas/jsonschema/kubernetes/" + k.Version + "-standalone-strict/"
	out := make(map[string][]byte, len(schemas))
	for name, s := range schemas {
		enc, err := encodeJSON(s)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %s: %w", k.Module, k.Path, name, err)
		}
		out[dir+name] = enc
	}
	return out, nil
}

func crdSource(ctx context.Context, opts Options, c CRDSource) (map[string][]byte, error) {
	z, err := fetch(ctx, opts, c.Module)
	if err != nil {
		return nil, err
	}
	defer func() { _ = z.Close() }()
	out := make(map[string][]byte)
	for _, p := range c.Paths {
		data, err := z.read(p)
		if err != nil {
			return nil, err
		}
		origin := c.String() + " " + p
		files, err := crdOutputs(data, origin)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", origin, err)
		}
		for name, d := range files {
			if err := add(out, name, d); err != nil {
				return nil, fmt.Errorf("%s: %w", origin, err)
			}
		}
	}
	return out, nil
}
