package build

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// chartSpec is where a HelmRelease's chart comes from, after following spec.chartRef to a
// HelmChart when there is one.
type chartSpec struct {
	kind, ns, name string // the source
	chart          string // chart name (HelmRepository) or path in the source (GitRepository, Bucket)
	version        string // version or semver constraint
	valuesFiles    []string
	ignoreMissing  bool
}

func (c chartSpec) sourceRef() string { return c.kind + "/" + c.ns + "/" + c.name }

// chartLoad is a chart ready to render, or why it is not.
type chartLoad struct {
	chart   *chart.Chart
	version string
	// remote is set when the chart is neither in a local source nor in the chart cache.
	remote bool
	// key identifies a remote chart, so it is reported once however many releases use it.
	key string
	err error
}

// chartSourceRef returns the source object a HelmRelease's chart is read from.
func chartSourceRef(hr manifest.Object) (kind, ns, name string) {
	spec := readChartSpec(hr)
	return spec.kind, spec.ns, spec.name
}

// readChartSpec reads spec.chart.spec, or spec.chartRef (OCIRepository, ExternalArtifact or
// HelmChart), defaulting namespaces to the HelmRelease's.
func readChartSpec(hr manifest.Object) chartSpec {
	if ref := mapAt(hr.Object, "spec", "chartRef"); ref != nil {
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		ns, _ := ref["namespace"].(string)
		return chartSpec{kind: kind, ns: or(ns, hr.Namespace()), name: name}
	}
	spec := mapAt(hr.Object, "spec", "chart", "spec")
	ref := mapAt(spec, "sourceRef")
	c := chartSpec{
		kind: strAt(ref, "kind"), ns: or(strAt(ref, "namespace"), hr.Namespace()), name: strAt(ref, "name"),
		chart: strAt(spec, "chart"), version: strAt(spec, "version"),
		ignoreMissing: boolAt(spec, "ignoreMissingValuesFiles"),
	}
	for _, f := range sliceAt(spec, "valuesFiles") {
		if s, ok := f.(string); ok {
			c.valuesFiles = append(c.valuesFiles, s)
		}
	}
	return c
}

// loadChart finds a chart offline: in a local source (this repository, a mapped directory, a
// staged ExternalArtifact) or in the chart cache.
func (b *Builder) loadChart(c chartSpec) chartLoad {
	if c.kind == "HelmChart" {
		hc, ok := b.st.get(sourceGroup, "HelmChart", c.ns, c.name)
		if !ok {
			return chartLoad{err: fmt.Errorf("HelmChart/%s/%s not found in the tree", c.ns, c.name)}
		}
		// A HelmChart's spec is the chart template of a HelmRelease's spec.chart.spec.
		return b.loadChart(readChartSpec(manifest.Object{Object: map[string]any{
			"metadata": map[string]any{"namespace": c.ns},
			"spec":     map[string]any{"chart": map[string]any{"spec": hc.Object["spec"]}},
		}}))
	}
	src := b.resolveSource(c.kind, c.ns, c.name)
	switch {
	case src.missing != "":
		return chartLoad{err: fmt.Errorf("chart source: %s", src.missing)}
	case src.dir != "":
		return b.loadLocalChart(c, src)
	}
	return b.loadCachedChart(c, src)
}

func (b *Builder) loadLocalChart(c chartSpec, src *source) chartLoad {
	dir := src.dir
	if c.kind == "GitRepository" || c.kind == "Bucket" {
		dir = securePath(src.dir, c.chart)
	}
	if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err != nil {
		return chartLoad{err: fmt.Errorf("no chart at %s in %s", or(c.chart, "./"), src.ref)}
	}
	ch, err := loadChartDir(dir)
	if err != nil {
		return chartLoad{err: fmt.Errorf("load chart %s: %s", b.rel(src.original(dir)), b.clean(err))}
	}
	valuesRoot := dir
	if c.kind == "GitRepository" || c.kind == "Bucket" {
		valuesRoot = src.dir // valuesFiles are relative to the source, not the chart
	}
	if err := applyValuesFiles(ch, valuesRoot, c.valuesFiles, c.ignoreMissing); err != nil {
		return chartLoad{err: err}
	}
	return chartLoad{chart: ch, version: ch.Metadata.Version}
}

// loadCachedChart looks a remote chart up in the chart cache.
func (b *Builder) loadCachedChart(c chartSpec, src *source) chartLoad {
	repos := []string{c.name, urlKey(src.url)}
	names := []string{c.chart}
	version := c.version
	switch c.kind {
	case "GitRepository", "Bucket":
		names = []string{path.Base(path.Clean("/" + c.chart)), strings.Trim(path.Clean("/"+c.chart), "/")}
		version = b.gitRevision(c)
	case "OCIRepository":
		// oci://registry/path/chart: the chart is the last path element.
		key := urlKey(src.url)
		names = []string{path.Base(key)}
		repos = []string{c.name, path.Dir(key)}
		version = b.ociRevision(c)
	}
	key := fmt.Sprintf("%s %s@%s", src.ref, or(names[0], c.chart), or(version, "*"))
	p, v, ok := b.cachedChart(repos, names, version)
	if !ok {
		return chartLoad{remote: true, key: key, version: version}
	}
	ch, err := loader.Load(p)
	if err != nil {
		return chartLoad{err: fmt.Errorf("load cached chart %s: %w", p, err)}
	}
	if err := applyValuesFiles(ch, p, c.valuesFiles, c.ignoreMissing); err != nil && !strings.HasSuffix(p, ".tgz") {
		return chartLoad{err: err}
	}
	return chartLoad{chart: ch, version: v}
}

// gitRevision is the revision a GitRepository checks out, used as the cached chart's version.
func (b *Builder) gitRevision(c chartSpec) string {
	o, ok := b.st.get(sourceGroup, c.kind, c.ns, c.name)
	if !ok {
		return ""
	}
	ref := mapAt(o.Object, "spec", "ref")
	for _, f := range []string{"tag", "semver", "name", "commit", "branch"} {
		if v := strAt(ref, f); v != "" {
			return v
		}
	}
	return ""
}

func (b *Builder) ociRevision(c chartSpec) string {
	o, ok := b.st.get(sourceGroup, c.kind, c.ns, c.name)
	if !ok {
		return ""
	}
	ref := mapAt(o.Object, "spec", "ref")
	for _, f := range []string{"tag", "semver", "digest"} {
		if v := strAt(ref, f); v != "" {
			return v
		}
	}
	return "latest"
}

// loadChartDir loads a chart directory and, as source-controller does when it packages a chart
// from Git, the file:// dependencies that are not vendored under charts/.
func loadChartDir(dir string) (*chart.Chart, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	for _, dep := range ch.Metadata.Dependencies {
		if have[dep.Name] || !strings.HasPrefix(dep.Repository, "file://") {
			continue
		}
		sub, err := loadChartDir(filepath.Join(dir, strings.TrimPrefix(dep.Repository, "file://")))
		if err != nil {
			return nil, fmt.Errorf("dependency %s: %w", dep.Name, err)
		}
		ch.AddDependency(sub)
	}
	return ch, nil
}

// applyValuesFiles replaces the chart's default values with the merge of spec.chart.spec's
// valuesFiles, as source-controller packages a chart with them.
func applyValuesFiles(ch *chart.Chart, root string, files []string, ignoreMissing bool) error {
	if len(files) == 0 {
		return nil
	}
	merged := map[string]any{}
	for _, f := range files {
		data, err := os.ReadFile(securePath(root, f))
		if err != nil {
			if ignoreMissing && os.IsNotExist(err) {
				continue
			}
			return fmt.Errorf("values file %s: %w", f, err)
		}
		vals, err := chartutil.ReadValues(data)
		if err != nil {
			return fmt.Errorf("values file %s: %w", f, err)
		}
		merged = mergeMaps(merged, vals)
	}
	ch.Values = merged
	return nil
}
