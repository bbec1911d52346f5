package schemagen

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// DefaultSources is where the source list lives, relative to the repository root.
const DefaultSources = "schemas/jsonschema/sources.yaml"

// Sources is the committed source list: which module versions the schemas come from.
type Sources struct {
	// Kubernetes lists the OpenAPI v2 documents, one per Kubernetes version.
	Kubernetes []OpenAPISource `json:"kubernetes"`
	// CRDs lists the modules carrying CustomResourceDefinition YAML.
	CRDs []CRDSource `json:"crds"`
}

// Module is one module version, downloaded only as a file source, never required in go.mod.
type Module struct {
	Module  string `json:"module"`
	Version string `json:"version"`
	// Sum is the module's h1: hash as go.sum records it. When set, a download with any other
	// content fails, so a reviewer sees every upstream change as a diff of sources.yaml.
	Sum string `json:"sum,omitempty"`
}

func (m Module) String() string { return m.Module + "@" + m.Version }

// OpenAPISource is a Kubernetes swagger.json inside a module zip. Its module version names the
// output directory (v1.34.4 → kubernetes/v1.34.4-standalone-strict), so it must be the
// Kubernetes release itself.
type OpenAPISource struct {
	Module
	Path string `json:"path"`
}

// CRDSource is a module and the CRD YAML files inside its zip.
type CRDSource struct {
	Module
	Paths []string `json:"paths"`
}

// ReadSources reads and checks a source list. Unknown keys are errors, so a typo cannot
// silently drop a CRD.
func ReadSources(file string) (*Sources, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	var s Sources
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &s, nil
}

func (s *Sources) check() error {
	for i, k := range s.Kubernetes {
		if err := k.check(); err != nil {
			return fmt.Errorf("kubernetes[%d]: %w", i, err)
		}
		if k.Path == "" {
			return fmt.Errorf("kubernetes[%d] %s: no path", i, k.Module)
		}
	}
	for i, c := range s.CRDs {
		if err := c.check(); err != nil {
			return fmt.Errorf("crds[%d]: %w", i, err)
		}
		if len(c.Paths) == 0 {
			return fmt.Errorf("crds[%d] %s: no paths", i, c.Module)
		}
	}
	return nil
}

// exactVersion is a full semantic version (pre-release allowed): golang.org/x/mod/semver would
// do, but it is not in go.mod and this is all we need.
var exactVersion = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+incompatible)?$`)

func (m Module) check() error {
	switch {
	case m.Module == "":
		return fmt.Errorf("no module")
	case !exactVersion.MatchString(m.Version):
		// A query such as "latest" would make the output depend on the day it ran.
		return fmt.Errorf("%s: version must be an exact semantic version", m)
	case m.Sum != "" && !strings.HasPrefix(m.Sum, "h1:"):
		return fmt.Errorf("%s: sum must be an h1: hash", m)
	}
	return nil
}
