package build

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// cachedChart finds a chart in Options.ChartCache. repos are the names the repository may be
// filed under (the source object's name, its URL without the scheme), names the chart's names
// (its name, or for a Git source its path), version an exact version or, as Flux reads it, a
// semver constraint (empty means the latest). It returns the chart's path (a directory or a
// .tgz) and the version found.
func (b *Builder) cachedChart(repos, names []string, version string) (string, string, bool) {
	if b.opts.ChartCache == "" {
		return "", "", false
	}
	for _, repo := range repos {
		for _, name := range names {
			if repo == "" || name == "" || !filepath.IsLocal(repo) || !filepath.IsLocal(name) {
				continue
			}
			if p, v, ok := pickVersion(cacheEntries(filepath.Join(b.opts.ChartCache, repo), name), version); ok {
				return p, v, true
			}
		}
	}
	return "", "", false
}

// cacheEntries lists a chart's cached versions under a repository directory:
// <name>/<version>/ (a chart directory), <name>/<version>.tgz and <name>-<version>.tgz.
func cacheEntries(repoDir, name string) map[string]string {
	out := map[string]string{}
	if entries, err := os.ReadDir(filepath.Join(repoDir, name)); err == nil {
		for _, e := range entries {
			p := filepath.Join(repoDir, name, e.Name())
			switch {
			case e.IsDir():
				if _, err := os.Stat(filepath.Join(p, "Chart.yaml")); err == nil {
					out[e.Name()] = p
				}
			case strings.HasSuffix(e.Name(), ".tgz"):
				out[strings.TrimSuffix(e.Name(), ".tgz")] = p
			}
		}
	}
	if entries, err := os.ReadDir(repoDir); err == nil {
		for _, e := range entries {
			v, ok := strings.CutPrefix(e.Name(), name+"-")
			if ok && !e.IsDir() && strings.HasSuffix(v, ".tgz") {
				out[strings.TrimSuffix(v, ".tgz")] = filepath.Join(repoDir, e.Name())
			}
		}
	}
	return out
}

// pickVersion chooses the version helm-controller would: an exact match, else the highest
// version satisfying the constraint.
func pickVersion(entries map[string]string, want string) (string, string, bool) {
	if p, ok := entries[want]; ok && want != "" {
		return p, want, true
	}
	if p, ok := entries[strings.TrimPrefix(want, "v")]; ok && want != "" {
		return p, strings.TrimPrefix(want, "v"), true
	}
	c, err := semver.NewConstraint(or(want, "*"))
	if err != nil {
		return "", "", false
	}
	var best *semver.Version
	bestKey := ""
	for k := range entries {
		v, err := semver.NewVersion(k)
		if err != nil || !c.Check(v) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, bestKey = v, k
		}
	}
	if best == nil {
		return "", "", false
	}
	return entries[bestKey], bestKey, true
}
