package diff

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// Change is one object added, removed or changed in one environment.
type Change struct {
	Env    string  `json:"env"`
	Object string  `json:"object"`
	Kind   string  `json:"kind"`
	Action string  `json:"action"` // "added", "removed" or "changed"
	Fields []Field `json:"fields,omitempty"`
	// Owner is what applies the object: a Flux Kustomization, an Argo CD Application, or the
	// folder it is rendered to.
	Owner string `json:"owner"`
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
}

// Title is the flux-diff header: Kind/namespace/name.
func (c Change) Title() string {
	id := c.Object
	// apiVersion/Kind/ns/name → Kind/ns/name
	if parts := strings.Split(id, "/"); len(parts) >= 3 {
		for i, p := range parts {
			if p == c.Kind {
				return strings.Join(parts[i:], "/")
			}
		}
	}
	return id
}

// Objects compares the objects of one environment at two revisions. Secret values are masked
// and SOPS metadata is left out, so a diff never shows a secret or its ciphertext.
func Objects(env string, base, head []manifest.Object) []Change {
	ib, ih := index(base), index(head)
	var out []Change
	for k, h := range ih {
		b, ok := ib[k]
		if !ok {
			out = append(out, change(env, h, "added", nil))
			continue
		}
		if fs := Fields(mask(b.Object), mask(h.Object)); len(fs) > 0 {
			out = append(out, change(env, h, "changed", fs))
		}
	}
	for k, b := range ib {
		if _, ok := ih[k]; !ok {
			out = append(out, change(env, b, "removed", nil))
		}
	}
	slices.SortFunc(out, func(x, y Change) int {
		return cmp.Or(cmp.Compare(x.Env, y.Env), cmp.Compare(x.Owner, y.Owner), cmp.Compare(x.Title(), y.Title()), cmp.Compare(x.Object, y.Object))
	})
	return out
}

func change(env string, o manifest.Object, action string, fs []Field) Change {
	return Change{Env: env, Object: o.ID(), Kind: o.Kind(), Action: action, Fields: fs, Owner: Owner(o),
		File: o.Origin.File, Line: o.Origin.Line}
}

// Owner names what applies an object, for grouping a report.
func Owner(o manifest.Object) string {
	switch {
	case o.Origin.HelmRelease != "":
		return "HelmRelease " + o.Origin.HelmRelease
	case o.Origin.Application != "":
		return "Application " + o.Origin.Application
	case o.Origin.Kustomization != "":
		return "Kustomization " + o.Origin.Kustomization
	}
	dir := o.Origin.File
	if i := strings.LastIndex(dir, "/"); i >= 0 {
		dir = dir[:i]
	}
	return dir
}

func index(objs []manifest.Object) map[string]manifest.Object {
	m := make(map[string]manifest.Object, len(objs))
	for _, o := range objs {
		m[o.Key()] = o
	}
	return m
}

var encrypted = regexp.MustCompile(`^ENC\[AES256_GCM,.*\]$`)

// mask hides Secret values (a change shows as "(masked)" → "(masked, changed)") and drops the
// SOPS metadata, which changes on every re-encryption.
func mask(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	delete(out, "sops")
	if obj["kind"] != "Secret" {
		return out
	}
	for _, key := range []string{"data", "stringData"} {
		vals, ok := obj[key].(map[string]any)
		if !ok {
			continue
		}
		m := make(map[string]any, len(vals))
		for k, v := range vals {
			s, _ := v.(string)
			if encrypted.MatchString(s) {
				// ciphertext differs on every encryption; only its presence is compared
				m[k] = "(encrypted)"
			} else {
				m[k] = "(masked:" + fingerprint(s) + ")"
			}
		}
		out[key] = m
	}
	return out
}
