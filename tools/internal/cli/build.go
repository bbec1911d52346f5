package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/build"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

func newBuildCmd(app *App) *cobra.Command {
	var (
		root, chartCache, kubeVersion, output string
		sources, repoURLs                     []string
		summary                               bool
	)
	cmd := &cobra.Command{
		Use:   "build [ENV] [--root DIR] [--source Kind/ns/name=DIR]... [--chart-cache DIR] [--kube-version V] [-o yaml|json] [--summary]",
		Short: "Expand a cluster tree into every object Flux and Argo CD will apply",
		Long: `Build expands clusters/ENV (or the directory given with --root, so any Flux repository works)
into every object the controllers will apply, offline and with their semantics. It builds the
entry directory as Flux's bootstrap Kustomization would, follows every Flux Kustomization to its
source and path (generating a kustomization.yaml where there is none, applying patches, images,
components, targetNamespace, namePrefix/nameSuffix and postBuild substitution), inflates the
HelmReleases whose charts are in the repository or in --chart-cache (and the HelmReleases those
charts emit), and builds the Argo CD Applications that point at this repository.

The repository's own GitRepository is the working tree; --source maps other sources to
directories; anything else is reported as remote. SOPS-encrypted values stay encrypted and are
masked. Objects go to stdout, each with the file and line it came from; findings (missing
dependencies, cycles, duplicate objects, remote sources and charts) go to stderr. The exit code
is 1 when a finding is an error, 2 when the build itself fails.`,
		Example: `  platctl build homelab
  platctl build --root clusters/staging --chart-cache ~/.cache/charts
  platctl build homelab --source GitRepository/flux-system/apps=../apps -o json
  platctl build homelab --summary`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "yaml" && output != "json" {
				return fmt.Errorf("-o %s: want yaml or json", output)
			}
			entry, err := buildEntry(app, args, root)
			if err != nil {
				return err
			}
			srcMap, err := parseSources(sources)
			if err != nil {
				return err
			}
			opts := build.Options{
				Root: app.Root, Path: entry, Sources: srcMap, ChartCache: chartCache,
				KubeVersion: kubeVersion, RepoURLs: append(repoURLs, gitRemotes(app.Root)...),
			}
			res, findings, err := build.New(opts).Run(cmd.Context())
			if err != nil {
				return err
			}
			if summary {
				err = writeBuildSummary(app.Stdout, res, output)
			} else {
				err = writeObjects(app.Stdout, res.Objects, output)
			}
			if err != nil {
				return err
			}
			for _, f := range findings {
				fmt.Fprintln(app.Stderr, f.String())
			}
			app.Logf("built %s: %s", entry, buildCounts(res))
			if finding.Failing(findings) {
				return errFindings(len(findings))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&root, "root", "", "entry directory to build instead of clusters/ENV (relative to the working directory)")
	f.StringArrayVar(&sources, "source", nil, "map a Flux source to a local directory: Kind/namespace/name=DIR (repeatable)")
	f.StringVar(&chartCache, "chart-cache", "", "directory of charts that cannot be fetched offline: <repository>/<chart>/<version>/ or <repository>/<chart>-<version>.tgz")
	f.StringVar(&kubeVersion, "kube-version", "", "Kubernetes version charts render against (default "+build.DefaultKubeVersion+")")
	f.StringArrayVar(&repoURLs, "repo-url", nil, "a URL that means this repository, for Argo CD Applications (repeatable; the git remotes are added)")
	f.StringVarP(&output, "output", "o", "yaml", "output format: yaml or json")
	f.BoolVar(&summary, "summary", false, "print what was built (Kustomizations, HelmReleases, Applications, remote sources) instead of the objects")
	return cmd
}

// buildEntry resolves ENV or --root to a directory relative to the repository root.
func buildEntry(app *App, args []string, root string) (string, error) {
	switch {
	case len(args) == 1 && root != "":
		return "", fmt.Errorf("give ENV or --root, not both")
	case len(args) == 1:
		entry := filepath.Join("clusters", args[0])
		if fi, err := os.Stat(filepath.Join(app.Root, entry)); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("unknown environment %q: %s", args[0], listEnvs(app.Root))
		}
		return entry, nil
	case root == "":
		return "", fmt.Errorf("give ENV (a directory under clusters/) or --root DIR")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("--root: %w", err)
	}
	rel, err := filepath.Rel(app.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("--root %s: not inside the repository %s", root, app.Root)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("--root %s: not a directory", root)
	}
	return rel, nil
}

func listEnvs(root string) string {
	entries, err := os.ReadDir(filepath.Join(root, "clusters"))
	if err != nil {
		return "there is no clusters/ directory"
	}
	var envs []string
	for _, e := range entries {
		if e.IsDir() {
			envs = append(envs, e.Name())
		}
	}
	if len(envs) == 0 {
		return "clusters/ is empty"
	}
	return "clusters/ has " + strings.Join(envs, ", ")
}

// parseSources reads --source Kind/namespace/name=DIR flags.
func parseSources(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range flags {
		ref, dir, ok := strings.Cut(s, "=")
		if !ok || strings.Count(ref, "/") != 2 || dir == "" {
			return nil, fmt.Errorf("--source %s: want Kind/namespace/name=DIR", s)
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("--source %s: %w", s, err)
		}
		out[ref] = abs
	}
	return out, nil
}

// gitRemotes reads the remote URLs from the repository's .git/config: the URLs that mean this
// repository unless --repo-url says more.
func gitRemotes(root string) []string {
	f, err := os.Open(filepath.Join(root, ".git", "config"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var urls []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && strings.TrimSpace(k) == "url" {
			urls = append(urls, strings.TrimSpace(v))
		}
	}
	return urls
}

// writeObjects prints objects as YAML documents, each after a `# Source:` comment naming the
// file and line it came from and the unit that applies it, or as a JSON list of
// {object, origin}.
func writeObjects(w io.Writer, objs []manifest.Object, output string) error {
	if output == "json" {
		if objs == nil {
			objs = []manifest.Object{}
		}
		return writeJSON(w, objs)
	}
	bw := bufio.NewWriter(w)
	for i, o := range objs {
		if i > 0 {
			fmt.Fprintln(bw, "---")
		}
		loc := o.Origin.File
		if o.Origin.Line > 0 {
			loc = fmt.Sprintf("%s:%d", loc, o.Origin.Line)
		}
		fmt.Fprintf(bw, "# Source: %s (%s)\n", loc, build.Owner(o.Origin))
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			return fmt.Errorf("%s: %w", o.ID(), err)
		}
		if _, err := bw.Write(y); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeBuildSummary prints what was built: as tables, or as JSON without the objects.
func writeBuildSummary(w io.Writer, res *build.Result, output string) error {
	if output == "json" {
		s := *res
		s.Objects = nil
		return writeJSON(w, struct {
			build.Result
			Objects int `json:"objects"`
		}{s, len(res.Objects)})
	}
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Kustomizations (%d):\n", len(res.Kustomizations))
	for _, k := range res.Kustomizations {
		deps := ""
		if len(k.DependsOn) > 0 {
			deps = "dependsOn " + strings.Join(k.DependsOn, ",")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", k.Name, k.Path, objectsOr(k.Built, k.Objects, k.Reason), deps)
	}
	fmt.Fprintf(tw, "HelmReleases (%d):\n", len(res.HelmReleases))
	for _, h := range res.HelmReleases {
		parent := ""
		if h.Parent != "" {
			parent = "from " + h.Parent
		}
		fmt.Fprintf(tw, "  %s\t%s@%s\t%s\t%s\n", h.Name, h.Chart, h.Version, objectsOr(h.Inflated, h.Objects, h.Reason), parent)
	}
	fmt.Fprintf(tw, "Applications (%d):\n", len(res.Applications))
	for _, a := range res.Applications {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Name, a.Path, a.Type, objectsOr(a.Built, a.Objects, a.Reason))
	}
	fmt.Fprintf(tw, "Remote sources (%d):\n", len(res.RemoteSources))
	for _, r := range res.RemoteSources {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Ref, r.URL, strings.Join(r.UsedBy, ", "))
	}
	fmt.Fprintf(tw, "Objects: %d\n", len(res.Objects))
	if err := tw.Flush(); err != nil {
		return err
	}
	// Empty trailing columns would leave trailing spaces.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+strings.Repeat("\n", strings.Count(line, "\n"))); err != nil {
			return err
		}
	}
	return nil
}

func objectsOr(ok bool, n int, reason string) string {
	switch {
	case !ok:
		return reason
	case n == 1:
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

func buildCounts(res *build.Result) string {
	inflated := 0
	for _, h := range res.HelmReleases {
		if h.Inflated {
			inflated++
		}
	}
	return fmt.Sprintf("%d objects from %d Kustomizations, %d of %d HelmReleases inflated, %d Applications",
		len(res.Objects), len(res.Kustomizations), inflated, len(res.HelmReleases), len(res.Applications))
}
