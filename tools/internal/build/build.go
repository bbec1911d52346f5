// Package build expands a cluster tree into every object the GitOps controllers will apply,
// offline and with their semantics: Flux Kustomizations are generated and built with
// fluxcd/pkg/kustomize (the code kustomize-controller runs) and post-build substituted the same
// way; HelmReleases whose charts are on disk are rendered with Helm's install action in
// client-only mode, as helm-controller renders them; Argo CD Applications pointing at this
// repository are built the way the repo-server builds them. The stage never prints or reads
// flags: problems in the tree are findings, and only a failure of the tool itself is an error.
package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// DefaultKubeVersion is the Kubernetes version charts see when Options.KubeVersion is empty.
// Helm's own library default (v1.20) is older than any cluster we run and fails charts that
// declare a kubeVersion constraint.
const DefaultKubeVersion = "1.34.0"

// Options says what to build and where the inputs are. Every field is explicit so the caller can
// fill it from flags or from the platform model.
type Options struct {
	// Root is the repository's working tree: the repository's own GitRepository maps to it.
	Root string
	// Path is the entry directory relative to Root, e.g. clusters/homelab.
	Path string
	// Sources maps other sources to local directories: "GitRepository/flux-system/apps" → dir.
	Sources map[string]string
	// ChartCache holds charts that cannot be fetched offline, as directories or .tgz files laid
	// out <repository>/<chart>/<version>/ or <repository>/<chart>-<version>.tgz, where
	// <repository> is the source object's name or its URL without the scheme.
	ChartCache string
	// KubeVersion is the cluster's Kubernetes version charts render against (default
	// DefaultKubeVersion).
	KubeVersion string
	// RepoURLs are the URLs that mean "this repository", for Argo CD Applications and Flux
	// GitRepositories other than the bootstrap one.
	RepoURLs []string
}

// Result is everything the tree applies, and what was built to get it.
type Result struct {
	// Objects are the objects the controllers apply, sorted by manifest.Compare.
	Objects        []manifest.Object `json:"objects"`
	Kustomizations []Kustomization   `json:"kustomizations"`
	HelmReleases   []HelmRelease     `json:"helmReleases"`
	Applications   []Application     `json:"applications"`
	RemoteSources  []RemoteSource    `json:"remoteSources"`
}

// Kustomization is one Flux Kustomization and what building it produced.
type Kustomization struct {
	Name      string   `json:"name"` // namespace/name
	Source    string   `json:"source"`
	Path      string   `json:"path"`
	File      string   `json:"file,omitempty"`
	Line      int      `json:"line,omitempty"`
	Objects   int      `json:"objects"`
	DependsOn []string `json:"dependsOn,omitempty"`
	Built     bool     `json:"built"`
	Reason    string   `json:"reason,omitempty"` // why it was not built
}

// HelmRelease is one HelmRelease and whether its chart was inflated.
type HelmRelease struct {
	Name     string `json:"name"` // namespace/name
	Chart    string `json:"chart"`
	Version  string `json:"version,omitempty"` // the chart version rendered, or the one asked for
	Source   string `json:"source,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Parent   string `json:"parent,omitempty"` // the HelmRelease whose chart emitted this one
	Objects  int    `json:"objects"`
	Inflated bool   `json:"inflated"`
	Reason   string `json:"reason,omitempty"` // why it was not inflated
}

// Application is one Argo CD Application and what building its source produced.
type Application struct {
	Name    string `json:"name"` // namespace/name
	Type    string `json:"type,omitempty"`
	RepoURL string `json:"repoURL,omitempty"`
	Path    string `json:"path,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Objects int    `json:"objects"`
	Built   bool   `json:"built"`
	Reason  string `json:"reason,omitempty"`
}

// RemoteSource is a source that is neither this repository nor mapped with Options.Sources.
type RemoteSource struct {
	Ref    string   `json:"ref"` // Kind/namespace/name
	URL    string   `json:"url,omitempty"`
	UsedBy []string `json:"usedBy"`
}

// Builder expands one tree. It is single-use: New, then Run once.
type Builder struct {
	opts Options
	st   *store
	fs   []finding.Finding
	res  Result
	// sources caches resolved sources by Kind/ns/name.
	sources map[string]*source
	// ownRepos are the GitRepositories (ns/name) that are this working tree.
	ownRepos map[string]bool
	// bootstrap is the ns/name of the Kustomization whose path is the entry directory.
	bootstrap string
	// fileCache holds what origin lookups need of each source file.
	fileCache fileCache
	// spec builds upcoming Kustomizations on workers while the queue is drained.
	spec *speculator
	// probes remembers, by postBuild, whether substitution can fail whatever the resource.
	probes sync.Map
	// remote tracks remote sources and remote charts so each is reported once.
	remote        map[string]*RemoteSource
	remoteCharts  map[string][]string
	remoteChartAt map[string]remoteUse
	// queue holds the units still to build; queued every unit ever queued, by Kind/ns/name.
	queue   []unit
	queued  map[string]bool
	tmpDirs []string
	// crdScopes and served are what the CRDs in the tree declare: scope by group/kind, and the
	// API versions they serve.
	crdScopes map[string]string
	served    []string
}

// New returns a Builder for opts.
func New(opts Options) *Builder {
	if opts.KubeVersion == "" {
		opts.KubeVersion = DefaultKubeVersion
	}
	return &Builder{
		opts:          opts,
		st:            newStore(),
		sources:       map[string]*source{},
		ownRepos:      map[string]bool{},
		remote:        map[string]*RemoteSource{},
		remoteCharts:  map[string][]string{},
		remoteChartAt: map[string]remoteUse{},
		queued:        map[string]bool{},
		crdScopes:     map[string]string{},
	}
}

// Run builds the tree. Problems in the tree are findings; the error is for failures of the tool
// (an entry directory that does not exist, a cancelled context).
func (b *Builder) Run(ctx context.Context) (*Result, []finding.Finding, error) {
	defer b.cleanup()
	root, err := filepath.Abs(b.opts.Root)
	if err != nil {
		return nil, nil, fmt.Errorf("root %s: %w", b.opts.Root, err)
	}
	b.opts.Root = root
	entry := filepath.Join(root, b.opts.Path)
	if fi, err := os.Stat(entry); err != nil || !fi.IsDir() {
		return nil, nil, fmt.Errorf("build %s: not a directory", b.opts.Path)
	}
	b.startSpeculation(ctx)
	err = b.buildEntry(ctx, entry)
	if err == nil {
		err = b.drain(ctx)
	}
	b.stopSpeculation()
	if err != nil {
		return nil, nil, err
	}
	b.finish()
	return &b.res, b.fs, nil
}

// finish runs the whole-tree checks and sorts the result.
func (b *Builder) finish() {
	b.checkGraph()
	b.reportRemoteCharts()
	b.res.Objects = b.st.sorted()
	for _, rs := range b.remote {
		b.res.RemoteSources = append(b.res.RemoteSources, *rs)
	}
	slices.SortFunc(b.res.RemoteSources, func(a, c RemoteSource) int { return cmpString(a.Ref, c.Ref) })
	slices.SortFunc(b.res.Kustomizations, func(a, c Kustomization) int { return cmpString(a.Name, c.Name) })
	slices.SortFunc(b.res.HelmReleases, func(a, c HelmRelease) int { return cmpString(a.Name, c.Name) })
	slices.SortFunc(b.res.Applications, func(a, c Application) int { return cmpString(a.Name, c.Name) })
	finding.Sort(b.fs)
}

func (b *Builder) cleanup() {
	for _, d := range b.tmpDirs {
		_ = os.RemoveAll(d)
	}
}

// rel makes an absolute path repo-relative with forward slashes, for findings and origins.
func (b *Builder) rel(path string) string {
	r, err := filepath.Rel(b.opts.Root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
