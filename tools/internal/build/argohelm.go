package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// argoHelmDir renders a chart directory in this repository as Argo CD's `helm template` does.
func (b *Builder) argoHelmDir(app manifest.Object, dir string, opts map[string]any, refs map[string]string, destNS string) ([]manifest.Object, error) {
	ch, err := loadChartDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %s", b.rel(dir), b.clean(err))
	}
	b.checkVendored(app, ch)
	return b.argoHelm(app, ch, dir, opts, refs, destNS)
}

// argoHelmRepo renders a chart from a Helm repository source out of the chart cache.
func (b *Builder) argoHelmRepo(app manifest.Object, s map[string]any, refs map[string]string, destNS string) ([]manifest.Object, error) {
	repoURL, name, rev := strAt(s, "repoURL"), strAt(s, "chart"), strAt(s, "targetRevision")
	p, v, ok := b.cachedChart([]string{urlKey(repoURL)}, []string{name}, rev)
	if !ok {
		key := fmt.Sprintf("%s %s@%s", repoURL, name, or(rev, "*"))
		if _, seen := b.remoteCharts[key]; !seen {
			b.remoteChartAt[key] = remoteUse{at: app.Origin, id: app.ID()}
		}
		b.remoteCharts[key] = append(b.remoteCharts[key], "application "+nsName(app))
		return nil, fmt.Errorf("remote chart, not inflated")
	}
	ch, err := loader.Load(p)
	if err != nil {
		b.report(finding.Error, app.Origin, app.ID(), "chart", "load cached chart %s %s: %v", name, v, err)
		return nil, err
	}
	return b.argoHelm(app, ch, "", mapAt(s, "helm"), refs, destNS)
}

// argoHelm renders a chart with an Application's helm options: value files (relative to the
// chart, or $ref/ of another source), then values or valuesObject, then parameters, the order
// Argo CD passes them to helm template; CRDs included unless skipCrds.
func (b *Builder) argoHelm(app manifest.Object, ch *chart.Chart, dir string, opts map[string]any, refs map[string]string, destNS string) ([]manifest.Object, error) {
	vals, err := b.argoValues(dir, opts, refs)
	if err != nil {
		return nil, err
	}
	objs, err := b.renderChart(ch, vals, renderSpec{
		name:        or(strAt(opts, "releaseName"), app.Name()),
		namespace:   or(strAt(opts, "namespace"), destNS),
		includeCRDs: !boolAt(opts, "skipCrds"),
		skipSchema:  boolAt(opts, "skipSchemaValidation"),
		apiVersions: b.apiVersions(),
	})
	if err != nil {
		return nil, fmt.Errorf("helm template: %s", b.clean(err))
	}
	return objs, nil
}

func (b *Builder) argoValues(dir string, opts map[string]any, refs map[string]string) (map[string]any, error) {
	vals := map[string]any{}
	ignoreMissing := boolAt(opts, "ignoreMissingValueFiles")
	for _, f := range sliceAt(opts, "valueFiles") {
		name, _ := f.(string)
		p := securePath(dir, name)
		if ref, rest, ok := strings.Cut(strings.TrimPrefix(name, "$"), "/"); strings.HasPrefix(name, "$") && ok {
			root, found := refs[ref]
			if !found {
				return nil, fmt.Errorf("valueFiles %s: source ref %s is not in this repository", name, ref)
			}
			p = securePath(root, rest)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			if ignoreMissing && os.IsNotExist(err) {
				continue
			}
			return nil, fmt.Errorf("valueFiles %s: %w", name, err)
		}
		v, err := chartutil.ReadValues(data)
		if err != nil {
			return nil, fmt.Errorf("valueFiles %s: %w", b.rel(p), err)
		}
		vals = mergeMaps(vals, v)
	}
	switch {
	case mapAt(opts, "valuesObject") != nil:
		vals = mergeMaps(vals, copyMap(mapAt(opts, "valuesObject")))
	case strAt(opts, "values") != "":
		v, err := chartutil.ReadValues([]byte(strAt(opts, "values")))
		if err != nil {
			return nil, fmt.Errorf("helm.values: %w", err)
		}
		vals = mergeMaps(vals, v)
	}
	for _, p := range maps(sliceAt(opts, "parameters")) {
		name, _ := p["name"].(string)
		value := fmt.Sprint(p["value"])
		parse := strvals.ParseInto
		if force, _ := p["forceString"].(bool); force {
			parse = strvals.ParseIntoString
		}
		if err := parse(name+"="+value, vals); err != nil {
			return nil, fmt.Errorf("helm.parameters %s: %w", name, err)
		}
	}
	for _, p := range maps(sliceAt(opts, "fileParameters")) {
		name, _ := p["name"].(string)
		path, _ := p["path"].(string)
		data, err := os.ReadFile(securePath(dir, path))
		if err != nil {
			return nil, fmt.Errorf("helm.fileParameters %s: %w", name, err)
		}
		if err := strvals.ParseIntoString(name+"="+string(data), vals); err != nil {
			return nil, fmt.Errorf("helm.fileParameters %s: %w", name, err)
		}
	}
	return vals, nil
}

// checkVendored warns about chart dependencies neither vendored under charts/ nor local: Argo
// CD fetches them with `helm dependency build`, which cannot run offline.
func (b *Builder) checkVendored(app manifest.Object, ch *chart.Chart) {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	for _, dep := range ch.Metadata.Dependencies {
		if !have[dep.Name] {
			b.report(finding.Warning, app.Origin, app.ID(), "chart-dependency",
				"chart dependency %s (%s) is not vendored under %s: rendered without it",
				dep.Name, dep.Repository, filepath.Join(ch.Name(), "charts"))
		}
	}
}
