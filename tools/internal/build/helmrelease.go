package build

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// inflateHelmRelease renders a HelmRelease's chart when it can be had offline, with its merged
// values, and stores what helm-controller would apply. HelmReleases the chart emits (an
// umbrella chart such as Big Bang's) are queued and inflated in turn.
func (b *Builder) inflateHelmRelease(hr manifest.Object) {
	name := nsName(hr)
	c := readChartSpec(hr)
	info := HelmRelease{
		Name: name, Chart: or(c.chart, c.sourceRef()), Version: c.version, Source: c.sourceRef(),
		File: hr.Origin.File, Line: hr.Origin.Line, Parent: hr.Origin.HelmRelease,
	}
	defer func() { b.res.HelmReleases = append(b.res.HelmReleases, info) }()
	if boolAt(hr.Object, "spec", "suspend") {
		b.report(finding.Info, hr.Origin, hr.ID(), "suspended", "suspended: Flux does not reconcile it; inflated anyway")
	}
	ld := b.loadChart(c)
	switch {
	case ld.err != nil:
		info.Reason = ld.err.Error()
		b.report(finding.Error, hr.Origin, hr.ID(), "chart", "%v", ld.err)
		return
	case ld.remote:
		info.Reason, info.Version = "remote chart, not inflated", or(ld.version, c.version)
		if _, seen := b.remoteCharts[ld.key]; !seen {
			b.remoteChartAt[ld.key] = remoteUse{at: hr.Origin, id: hr.ID()}
		}
		b.remoteCharts[ld.key] = append(b.remoteCharts[ld.key], name)
		return
	}
	info.Version = ld.version
	spec := mapAt(hr.Object, "spec")
	ns := or(strAt(spec, "targetNamespace"), hr.Namespace())
	objs, err := b.renderChart(ld.chart, b.releaseValues(hr), renderSpec{
		name:         releaseName(hr),
		namespace:    ns,
		includeCRDs:  strAt(spec, "install", "crds") != "Skip",
		includeTests: boolAt(spec, "test", "enable"),
		disableHooks: boolAt(spec, "install", "disableHooks"),
		skipSchema:   boolAt(spec, "install", "disableSchemaValidation"),
		apiVersions:  b.apiVersions(),
	})
	if err == nil {
		objs, err = b.postRender(hr, objs)
	}
	if err != nil {
		info.Reason = "render failed"
		b.report(finding.Error, hr.Origin, hr.ID(), "helm-render", "%s", b.clean(err))
		return
	}
	for i := range objs {
		o := &objs[i]
		o.Origin = manifest.Origin{
			File: hr.Origin.File, Line: hr.Origin.Line, Engine: "flux",
			Kustomization: hr.Origin.Kustomization, Application: hr.Origin.Application,
			HelmRelease: name, Template: o.Origin.Template,
		}
		b.defaultNamespace(o, ns)
		// helm-controller's post-renderer labels every object with its HelmRelease.
		setLabels(o.Object, map[string]string{helmGroup + "/name": hr.Name(), helmGroup + "/namespace": hr.Namespace()})
		maskSOPS(o)
	}
	info.Objects, info.Inflated = len(objs), true
	b.addObjects(objs)
}

// remoteUse is the first unit that needed a remote chart: where the chart is reported.
type remoteUse struct {
	at manifest.Origin
	id string
}

// releaseName is the Helm release name helm-controller uses: spec.releaseName, else
// [targetNamespace-]name, shortened with a hash past Helm's 53 characters.
func releaseName(hr manifest.Object) string {
	name := strAt(hr.Object, "spec", "releaseName")
	if name == "" {
		name = hr.Name()
		if tn := strAt(hr.Object, "spec", "targetNamespace"); tn != "" {
			name = tn + "-" + name
		}
	}
	if len(name) <= 53 {
		return name
	}
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(name)))
	return name[:40] + "-" + sum[:12]
}

// reportRemoteCharts reports each chart that could not be had once, at the first HelmRelease
// that uses it.
func (b *Builder) reportRemoteCharts() {
	keys := make([]string, 0, len(b.remoteCharts))
	for k := range b.remoteCharts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		users := b.remoteCharts[k]
		msg := "remote chart, not inflated: " + k
		if len(users) > 1 {
			msg += fmt.Sprintf(" (used by %d HelmReleases: %s)", len(users), strings.Join(users, ", "))
		}
		first := b.remoteChartAt[k]
		b.report(finding.Warning, first.at, first.id, "remote-chart", "%s", msg)
	}
}
