package build

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// originOf reads kustomize's origin annotation: the file a resource was read from (relative to
// the directory built) or, for generated resources, the kustomization that generated it.
func originOf(annotations map[string]string) *resource.Origin {
	raw, ok := annotations[originAnnotation]
	if !ok {
		return nil
	}
	var o resource.Origin
	if err := yaml.Unmarshal([]byte(raw), &o); err != nil {
		return nil
	}
	return &o
}

// resourceOrigin locates a built resource in the repository: the file from its origin
// annotation and the line of its document there. Resources from remote bases, or without an
// annotation, get no file; the caller falls back to the unit's own location.
func (b *Builder) resourceOrigin(src *source, dir, kind, name string, o *resource.Origin) manifest.Origin {
	if o == nil || o.Repo != "" {
		return manifest.Origin{}
	}
	p, generated := o.Path, false
	if o.ConfiguredIn != "" && p == "" {
		p, generated = o.ConfiguredIn, true
	}
	if p == "" {
		return manifest.Origin{}
	}
	abs := src.original(filepath.Join(dir, p))
	file := b.rel(abs)
	if generated {
		return manifest.Origin{File: file, Line: nameLine(abs, name)}
	}
	return manifest.Origin{File: file, Line: b.documentLine(abs, file, kind, name)}
}

// documentLine finds the line of the document an object was read from. Kustomize keeps the file
// but not the document, and transformers may have renamed the object (namePrefix, nameSuffix,
// hashes), so the document is matched by kind and then by the longest name the final name
// contains.
func (b *Builder) documentLine(abs, file, kind, name string) int {
	objs, ok := b.files[abs]
	if !ok {
		data, err := os.ReadFile(abs)
		if err == nil {
			objs, _ = manifest.Decode(file, data)
		}
		b.files[abs] = objs
	}
	best, bestLen := 0, -1
	for _, o := range objs {
		if o.Kind() != kind {
			continue
		}
		n := o.Name()
		switch {
		case n == name:
			return o.Origin.Line
		case n != "" && strings.Contains(name, n) && len(n) > bestLen:
			best, bestLen = o.Origin.Line, len(n)
		case best == 0:
			best = o.Origin.Line
		}
	}
	if best == 0 && len(objs) > 0 {
		best = objs[0].Origin.Line
	}
	return max(best, 1)
}

// nameLine finds the line in a kustomization that declares a generated resource: the `name:`
// whose value the generated name starts with (generators append a hash).
func nameLine(abs, name string) int {
	data, err := os.ReadFile(abs)
	if err != nil {
		return 1
	}
	best, bestLen := 1, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "- "))
		v, ok := strings.CutPrefix(t, "name:")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if v != "" && strings.HasPrefix(name, v) && len(v) > bestLen {
			best, bestLen = line, len(v)
		}
	}
	return best
}
