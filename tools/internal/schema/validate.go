package schema

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/yannh/kubeconform/pkg/resource"
	"github.com/yannh/kubeconform/pkg/validator"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

var (
	kindRE       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	apiVersionRE = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[a-z0-9]+$`)
)

// validate checks one object. Anything odd about the object itself is a finding; only a
// failure to read the schemas is an error.
func (v *Validator) validate(obj manifest.Object) (fs []finding.Finding, err error) {
	base := finding.Finding{
		Stage:    Stage,
		Severity: finding.Error,
		File:     obj.Origin.File,
		Line:     obj.Origin.Line,
		Object:   obj.ID(),
	}
	malformed := func(field, format string, args ...any) []finding.Finding {
		f := base
		f.Rule, f.Field, f.Message = RuleMalformed, field, fmt.Sprintf(format, args...)
		return []finding.Finding{f}
	}
	defer func() {
		// The validator is a third-party library fed arbitrary input: a panic there must not
		// take the whole run down, and it is about this object, so it is this object's finding.
		if r := recover(); r != nil {
			fs, err = malformed("", "validator failed on this object: %v", r), nil
		}
	}()

	m := obj.Object
	if len(m) == 0 {
		return malformed("", "empty object"), nil
	}
	kind, _ := m["kind"].(string)
	if kind == "" {
		return malformed("/kind", "no kind, or kind is not a string"), nil
	}
	apiVersion, _ := m["apiVersion"].(string)
	if apiVersion == "" {
		return malformed("/apiVersion", "no apiVersion, or apiVersion is not a string"), nil
	}
	// Both end up in a file path: keep "../" and friends out of it (the API server would
	// refuse such names anyway).
	if !kindRE.MatchString(kind) {
		return malformed("/kind", "kind %q is not a Kubernetes kind name", kind), nil
	}
	if !apiVersionRE.MatchString(apiVersion) {
		return malformed("/apiVersion", "apiVersion %q is not [group/]version", apiVersion), nil
	}
	if _, ok := m["sops"]; ok {
		// SOPS keeps its metadata in a top-level key the schema does not know; the object the
		// cluster sees is the decrypted one, without it. Copy, so the caller's map is untouched.
		m = maps.Clone(m)
		delete(m, "sops")
	}
	data, err := json.Marshal(m)
	if err != nil {
		return malformed("", "cannot encode object: %v", err), nil
	}

	res := v.validateOnce(apiVersion+"/"+kind, resource.Resource{Path: obj.Origin.File, Bytes: data})
	switch res.Status {
	case validator.Valid:
		return nil, nil
	case validator.Skipped:
		if v.allowedMissing(apiVersion, kind) {
			return nil, nil
		}
		f := base
		f.Rule = RuleMissing
		f.Message = fmt.Sprintf("no schema for %s %s (Kubernetes %s, or a CRD vendored by make schemas)", apiVersion, kind, v.version)
		return []finding.Finding{f}, nil
	case validator.Invalid:
		return invalid(base, data, res), nil
	case validator.Empty:
		return malformed("", "empty object"), nil
	}
	if msg := errString(res.Err); strings.HasPrefix(msg, "error unmarshalling resource") || strings.HasPrefix(msg, "error while parsing") {
		return malformed("", "%s", msg), nil
	}
	return nil, fmt.Errorf("schema %s: %w", obj.ID(), res.Err)
}

// validateOnce validates r, making sure the first object of each apiVersion/kind runs alone.
// kubeconform caches compiled schemas by kind and version, but two workers meeting a new kind
// at the same moment would both miss the cache and both compile it (about 40 ms for a
// Deployment); the Once makes the rest wait for the first and then hit the cache.
func (v *Validator) validateOnce(key string, r resource.Resource) validator.Result {
	v.mu.Lock()
	once, ok := v.first[key]
	if !ok {
		once = new(sync.Once)
		v.first[key] = once
	}
	v.mu.Unlock()

	var res validator.Result
	ran := false
	once.Do(func() { res, ran = v.kc.ValidateResource(r), true })
	if !ran {
		res = v.kc.ValidateResource(r)
	}
	return res
}

// invalid turns kubeconform's validation errors into findings with JSON pointers.
func invalid(base finding.Finding, data []byte, res validator.Result) []finding.Finding {
	base.Rule = RuleInvalid
	// Pointers are checked against the object exactly as kubeconform saw it.
	var doc any
	_ = json.Unmarshal(data, &doc)

	type problem struct {
		tokens []string
		msg    string
	}
	var problems []problem
	if entries := detailedErrors(parseErrText(errString(res.Err))); len(entries) > 0 {
		for _, e := range entries {
			problems = append(problems, problem{decodePointer(e.pointer), e.msg})
		}
	} else {
		// The text was not in the expected format (another kubeconform version?): fall back
		// to the first-level errors, whose paths are joined without escaping.
		for _, ve := range res.ValidationErrors {
			problems = append(problems, problem{resolve(doc, ve.Path), ve.Msg})
		}
	}
	if len(problems) == 0 {
		f := base
		f.Message = errString(res.Err)
		return []finding.Finding{f}
	}

	var out []finding.Finding
	for _, p := range problems {
		if extra := unknownFields(doc, p.tokens, p.msg); len(extra) > 0 {
			// One finding per unknown field, pointing at the field itself rather than at its
			// parent, so the caller can map it to the line of the misspelt key.
			for _, name := range extra {
				f := base
				f.Field = encodePointer(append(slices.Clip(p.tokens), name))
				f.Message = "additional properties " + quote(name) + " not allowed"
				out = append(out, f)
			}
			continue
		}
		f := base
		f.Field = encodePointer(p.tokens)
		f.Message = p.msg
		out = append(out, f)
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return "invalid"
	}
	return err.Error()
}
