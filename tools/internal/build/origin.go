package build

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"

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
		return manifest.Origin{File: file, Line: b.nameLine(abs, name)}
	}
	return manifest.Origin{File: file, Line: b.documentLine(abs, file, kind, name)}
}

// documentLine finds the line of the document an object was read from. Kustomize keeps the file
// but not the document, and transformers may have renamed the object (namePrefix, nameSuffix,
// hashes), so the document is matched by kind and then by the longest name the final name
// contains.
func (b *Builder) documentLine(abs, file, kind, name string) int {
	docs := b.fileDocs(abs, file)
	best, bestLen := 0, -1
	for _, d := range docs {
		if d.kind != kind {
			continue
		}
		switch {
		case d.name == name:
			return d.line
		case d.name != "" && strings.Contains(name, d.name) && len(d.name) > bestLen:
			best, bestLen = d.line, len(d.name)
		case best == 0:
			best = d.line
		}
	}
	if best == 0 && len(docs) > 0 {
		best = docs[0].line
	}
	return max(best, 1)
}

// docRef is what documentLine needs of a document: its object's kind, name and line.
type docRef struct {
	kind, name string
	line       int
}

// fileCache keeps, per source file, what origin lookups need of it, so each file is read once
// however many objects and units come from it, and only those few fields stay in memory rather
// than the decoded objects. Workers share it.
type fileCache struct {
	mu    sync.Mutex
	docs  map[string][]docRef
	names map[string][]nameRef
}

func (b *Builder) fileDocs(abs, file string) []docRef {
	c := &b.fileCache
	c.mu.Lock()
	docs, ok := c.docs[abs]
	c.mu.Unlock()
	if ok {
		return docs
	}
	if data, err := os.ReadFile(abs); err == nil {
		objs, _ := manifest.Decode(file, data)
		docs = make([]docRef, len(objs))
		for i, o := range objs {
			docs[i] = docRef{kind: o.Kind(), name: o.Name(), line: o.Origin.Line}
		}
	}
	c.mu.Lock()
	if c.docs == nil {
		c.docs = map[string][]docRef{}
	}
	c.docs[abs] = docs
	c.mu.Unlock()
	return docs
}

// nameRef is a `name:` line of a kustomization and its value.
type nameRef struct {
	line  int
	value string
}

// nameLine finds the line in a kustomization that declares a generated resource: the `name:`
// whose value the generated name starts with (generators append a hash).
func (b *Builder) nameLine(abs, name string) int {
	best, bestLen := 1, 0
	for _, n := range b.fileNames(abs) {
		if strings.HasPrefix(name, n.value) && len(n.value) > bestLen {
			best, bestLen = n.line, len(n.value)
		}
	}
	return best
}

func (b *Builder) fileNames(abs string) []nameRef {
	c := &b.fileCache
	c.mu.Lock()
	names, ok := c.names[abs]
	c.mu.Unlock()
	if ok {
		return names
	}
	if data, err := os.ReadFile(abs); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "- "))
			v, ok := strings.CutPrefix(t, "name:")
			if !ok {
				continue
			}
			if v = strings.Trim(strings.TrimSpace(v), `"'`); v != "" {
				names = append(names, nameRef{line: line, value: v})
			}
		}
	}
	c.mu.Lock()
	if c.names == nil {
		c.names = map[string][]nameRef{}
	}
	c.names[abs] = names
	c.mu.Unlock()
	return names
}
