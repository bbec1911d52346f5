package policy

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// violation is one element of a deny or deny_cluster set.
type violation struct {
	rule, msg, field, object string
}

// decode checks a result against the rule conventions; a rule that breaks them is a bug in the
// policies, reported with its package so the author can find it.
func decode(r rego.Result, cluster bool) (violation, error) {
	family, _ := r.Bindings["family"].(string)
	set := "deny"
	if cluster {
		set = "deny_cluster"
	}
	where := fmt.Sprintf("data.platform.policies.%s.%s", family, set)
	m, ok := r.Bindings["violation"].(map[string]any)
	if !ok {
		return violation{}, fmt.Errorf("%s: element %v is not an object with rule, msg and field", where, r.Bindings["violation"])
	}
	var v violation
	// A slice, not a map, so the first bad key reported is the same on every run.
	for _, f := range []struct {
		key string
		dst *string
	}{{"rule", &v.rule}, {"msg", &v.msg}, {"field", &v.field}, {"object", &v.object}} {
		key, dst := f.key, f.dst
		raw, present := m[key]
		if !present || raw == nil {
			continue
		}
		s, ok := raw.(string)
		if !ok {
			return violation{}, fmt.Errorf("%s: %q is %T, want string", where, key, raw)
		}
		*dst = s
	}
	switch {
	case v.rule == "":
		return violation{}, fmt.Errorf("%s: element %v has no rule", where, m)
	case v.msg == "":
		return violation{}, fmt.Errorf("%s: %s: element has no msg", where, v.rule)
	case cluster && v.object == "":
		return violation{}, fmt.Errorf("%s: %s: element has no object", where, v.rule)
	case !strings.HasPrefix(v.rule, family+"/"):
		// Exceptions waive a family as <family>/*, so a rule id outside its package's family
		// could not be waived the way its authors expect.
		return violation{}, fmt.Errorf("%s: rule %q: want %s/<rule>", where, v.rule, family)
	}
	return v, nil
}

func (v violation) finding(object string, origin manifest.Origin) finding.Finding {
	return finding.Finding{
		Stage:    Stage,
		Severity: finding.Error,
		File:     origin.File,
		Line:     origin.Line,
		Object:   object,
		Field:    v.field,
		Rule:     v.rule,
		Message:  v.msg,
	}
}
