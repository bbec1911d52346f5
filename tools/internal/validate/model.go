package validate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue"

	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/policy"
)

func pathOf(s string) cue.Path { return cue.ParsePath(s) }

// EnvData is data.platform.env for the policies: the environment's name, the registries its images
// may come from, and whether it may expose Services of type LoadBalancer.
func EnvData(m *load.Model, env string) (map[string]any, error) {
	var e struct {
		Registry struct {
			Host string `json:"host"`
		} `json:"registry"`
		Exposure struct {
			Kind string `json:"kind"`
		} `json:"exposure"`
	}
	if err := m.Decode(fmt.Sprintf("environments.%q", env), &e); err != nil {
		return nil, err
	}
	return map[string]any{
		"name":              env,
		"registries":        []any{e.Registry.Host},
		"allowLoadBalancer": e.Exposure.Kind == "nlb",
	}, nil
}

// KubernetesVersion is the version the environment's schemas and Helm capabilities use.
func KubernetesVersion(m *load.Model, env string) (string, error) {
	var v string
	if err := m.Decode(fmt.Sprintf("environments.%q.cluster.kubernetesVersion", env), &v); err != nil {
		return "", err
	}
	return v, nil
}

// Exceptions reads policyExceptions from the model, each with its position.
func Exceptions(m *load.Model) ([]policy.Exception, error) {
	v := m.Labels("policyExceptions")
	if !v.Exists() {
		return nil, nil
	}
	it, err := v.Fields()
	if err != nil {
		return nil, err
	}
	var out []policy.Exception
	for it.Next() {
		var x struct {
			Rule    string `json:"rule"`
			Object  string `json:"object"`
			Reason  string `json:"reason"`
			Expires string `json:"expires"`
		}
		if err := it.Value().Decode(&x); err != nil {
			return nil, &load.Error{Root: m.Root, Err: err}
		}
		exp, err := time.Parse(time.DateOnly, x.Expires)
		if err != nil {
			return nil, fmt.Errorf("policyExceptions.%s.expires: %w", it.Selector().Unquoted(), err)
		}
		pos := it.Value().LookupPath(cue.ParsePath("rule")).Pos()
		out = append(out, policy.Exception{Rule: x.Rule, Object: x.Object, Reason: x.Reason,
			// an exception is valid through its expiry day
			Expires: exp.Add(24 * time.Hour), File: load.Rel(m.Root, pos.Filename()), Line: pos.Line()})
	}
	slices.SortFunc(out, func(a, b policy.Exception) int { return strings.Compare(a.Rule+a.Object, b.Rule+b.Object) })
	return out, nil
}
