package build

import (
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// renderSpec says how to render a chart.
type renderSpec struct {
	name, namespace string
	includeCRDs     bool // the chart's crds/ directory is applied too
	includeTests    bool // test hooks are applied too
	disableHooks    bool
	skipSchema      bool
	apiVersions     []string // extra API versions the cluster serves (its CRDs)
}

// renderChart renders a chart with Helm's install action in client-only dry-run mode, the
// rendering helm-controller and `helm template` share: values are coalesced with the chart's
// defaults and checked against its values.schema.json, and .Capabilities carries the cluster's
// Kubernetes version. Objects come back with Origin.Template set from Helm's `# Source:`.
func (b *Builder) renderChart(ch *chart.Chart, vals map[string]any, r renderSpec) ([]manifest.Object, error) {
	kv, err := chartutil.ParseKubeVersion(b.opts.KubeVersion)
	if err != nil {
		return nil, fmt.Errorf("kube version %q: %w", b.opts.KubeVersion, err)
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.DryRun = true
	install.ClientOnly = true
	install.Replace = true
	install.ReleaseName = r.name
	install.Namespace = r.namespace
	install.KubeVersion = kv
	install.APIVersions = r.apiVersions
	install.IncludeCRDs = r.includeCRDs
	install.DisableHooks = r.disableHooks
	install.SkipSchemaValidation = r.skipSchema
	rel, err := runInstall(install, ch, vals)
	if err != nil {
		return nil, err
	}
	var objs []manifest.Object
	add := func(template, doc string) error {
		got, err := manifest.Decode(template, []byte(doc))
		if err != nil {
			return fmt.Errorf("chart output: %w", err)
		}
		for _, o := range got {
			o.Origin = manifest.Origin{Template: template}
			objs = append(objs, o)
		}
		return nil
	}
	for _, doc := range releaseutil.SplitManifests(rel.Manifest) {
		if err := add(sourceOf(doc), doc); err != nil {
			return nil, err
		}
	}
	for _, h := range rel.Hooks {
		if isTestHook(h) && !r.includeTests {
			continue
		}
		if err := add(h.Path, h.Manifest); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// runInstall runs the install action, turning a panic in a chart's template functions into an
// error.
func runInstall(install *action.Install, ch *chart.Chart, vals map[string]any) (rel *release.Release, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("helm render panicked: %v", r)
		}
	}()
	return install.Run(ch, vals)
}

// sourceOf reads the template path from Helm's `# Source: chart/templates/x.yaml` comment.
func sourceOf(doc string) string {
	for _, line := range strings.Split(doc, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "# Source: "); ok {
			return s
		}
	}
	return ""
}

func isTestHook(h *release.Hook) bool {
	return slices.ContainsFunc(h.Events, func(e release.HookEvent) bool {
		return e == release.HookTest || e == "test-success"
	})
}

// apiVersions lists the API versions the CRDs built so far serve, so charts that gate objects
// on .Capabilities.APIVersions.Has see what the cluster would serve.
func (b *Builder) apiVersions() []string { return slices.Clone(b.served) }
