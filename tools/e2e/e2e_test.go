//go:build e2e

package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// suiteConfig is what the suite runs on; every field can be set from the environment.
type suiteConfig struct {
	repo    string   // E2E_REPO: the checkout under test (default: this repository)
	bin     string   // E2E_BIN: the directory build.sh prints (default: run build.sh)
	envs    []string // E2E_ENVS: comma-separated (default: every clusters/<env>)
	keep    bool     // E2E_KEEP=1: keep each environment's directory (logs, data, served repo)
	platctl string
}

func loadConfig(t *testing.T) suiteConfig {
	t.Helper()
	c := suiteConfig{repo: os.Getenv("E2E_REPO"), bin: os.Getenv("E2E_BIN"), keep: os.Getenv("E2E_KEEP") == "1"}
	if c.repo == "" {
		c.repo = "../.."
	}
	var err error
	if c.repo, err = filepath.Abs(c.repo); err != nil {
		t.Fatal(err)
	}
	if c.bin == "" {
		cmd := exec.Command("./build.sh")
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("build.sh: %v", err)
		}
		c.bin = strings.TrimSpace(string(out))
	}
	if e := os.Getenv("E2E_ENVS"); e != "" {
		c.envs = strings.Split(e, ",")
	} else {
		entries, err := os.ReadDir(filepath.Join(c.repo, "clusters"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				c.envs = append(c.envs, e.Name())
			}
		}
	}
	// platctl of the checkout under test renders the change and predicts what Flux applies.
	c.platctl = filepath.Join(t.TempDir(), "platctl")
	cmd := exec.Command("go", "build", "-o", c.platctl, "./tools/cmd/platctl")
	cmd.Dir = c.repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build platctl: %v\n%s", err, out)
	}
	return c
}

// TestFlux is the suite: for each environment in turn, a fresh etcd and kube-apiserver, the
// real Flux controllers, this repository served over Git, and the checks in runEnv.
func TestFlux(t *testing.T) {
	c := loadConfig(t)
	t.Logf("binaries: %s; repository: %s; environments: %s", c.bin, c.repo, strings.Join(c.envs, ", "))
	var sums []*summary
	for _, env := range c.envs {
		s := &summary{Env: env}
		sums = append(sums, s)
		t.Run(env, func(t *testing.T) { runEnv(t, c, env, s) })
	}
	fmt.Println()
	fmt.Println("=== e2e summary ===")
	for _, s := range sums {
		fmt.Print(s)
	}
}

// summary is the per-environment report printed at the end.
type summary struct {
	Env, Source, PredictedBy              string
	CRDs                                  int
	StandIns                              []string
	Kustomizations, KsReady               []string
	Checked                               bool
	FluxObjects, Secrets                  int
	ArgoObjects, ArgoAbsent               int
	LocalHelm                             int
	LocalHelmReady, RemoteHelm            []string
	Update                                string
	DryAccepted, DryRejected, DryWarnings int
	NamespacesCreated                     []string
	SelfCheck                             string
	Memory                                string
	Seconds                               float64
	Steps                                 []string
	Failed                                bool
}

func (s *summary) String() string {
	var b strings.Builder
	status := "PASS"
	if s.Failed {
		status = "FAIL"
	}
	fmt.Fprintf(&b, "--- %s: %s (%.1fs)\n", s.Env, status, s.Seconds)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(&b, "  %-26s "+format+"\n", append([]any{k}, args...)...)
	}
	row("source", "%s", s.Source)
	row("predictions", "%s", s.PredictedBy)
	row("stand-ins for Big Bang", "%d CRD files from schemas/crds; namespaces %s", s.CRDs, orNone(s.StandIns))
	row("Kustomizations Ready", "%d/%d: %s", len(s.KsReady), len(s.Kustomizations), strings.Join(s.KsReady, ", "))
	if notReady := notIn(s.Kustomizations, s.KsReady); len(notReady) > 0 {
		row("Kustomizations not Ready", "%s", strings.Join(notReady, ", "))
	}
	if s.Checked {
		row("objects applied by Flux", "%d, every predicted one present, none unexpected, inventories match", s.FluxObjects)
		row("SOPS Secrets decrypted", "%d (test age key)", s.Secrets)
		row("Argo CD objects", "%d predicted, %d absent from the apiserver (Argo CD's, not Flux's)", s.ArgoObjects, s.ArgoAbsent)
		row("HelmReleases Ready", "%d of the %d whose chart is in this repository%s", len(s.LocalHelmReady), s.LocalHelm, list(s.LocalHelmReady))
		if len(s.RemoteHelm) == 0 {
			row("source unreachable offline", "none")
		}
		for _, r := range s.RemoteHelm {
			row("source unreachable offline", "%s", r)
		}
	} else {
		row("objects applied by Flux", "not checked: the first sync failed")
	}
	row("update", "%s", s.Update)
	row("dry-run (dryRun=All)", "%d accepted, %d rejected, %d warning(s); namespaces created for it: %s",
		s.DryAccepted, s.DryRejected, s.DryWarnings, orNone(s.NamespacesCreated))
	row("dry-run self-check", "%s", s.SelfCheck)
	row("memory (RSS / peak)", "%s", s.Memory)
	row("seconds", "%.1f (%s)", s.Seconds, strings.Join(s.Steps, ", "))
	return b.String()
}

// list is ": a, b" or "".
func list(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return ": " + strings.Join(s, ", ")
}

func notIn(all, some []string) []string {
	var out []string
	for _, a := range all {
		if !slices.Contains(some, a) {
			out = append(out, a)
		}
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// runEnv is the suite for one environment.
func runEnv(t *testing.T, c suiteConfig, env string, s *summary) {
	start := time.Now()
	defer func() {
		s.Seconds = time.Since(start).Seconds()
		s.Failed = t.Failed()
	}()
	last := start
	step := func(name string) {
		now := time.Now()
		s.Steps = append(s.Steps, fmt.Sprintf("%s %.1f", name, now.Sub(last).Seconds()))
		t.Logf("%s: done in %.1fs", name, now.Sub(last).Seconds())
		last = now
	}
	ctx := t.Context()

	dir, err := os.MkdirTemp("", "platform-e2e-"+env+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() || c.keep {
			t.Logf("kept %s (process logs in %s)", dir, filepath.Join(dir, "logs"))
			return
		}
		_ = os.RemoveAll(dir)
	})
	procs, err := NewProcs(dir)
	if err != nil {
		t.Fatal(err)
	}
	// cleanups run last-in first-out: the processes stop (controllers, then apiserver, then
	// etcd) before the directory goes.
	t.Cleanup(func() {
		if err := procs.Stop(); err != nil {
			t.Error(err)
		}
	})
	gitRoot := filepath.Join(dir, "git")
	if err := os.MkdirAll(gitRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	gs, err := StartGitServer(gitRoot)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gs.Stop() })

	// the repository, served over Git smart HTTP
	key, err := NewTestKey()
	if err != nil {
		t.Fatal(err)
	}
	served, err := PrepareServed(ctx, c.repo, filepath.Join(dir, "work"), gitRoot, gs.URL, env, c.platctl, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Source = fmt.Sprintf("%s, served as %s at %s", served.Source, served.URL, served.Head()[:12])
	pred1, err := Predict(ctx, c.platctl, served.Work, env, served.OriginalURL)
	if err != nil {
		t.Fatal(err)
	}
	s.PredictedBy = pred1.By
	t.Logf("predictions: %s: %d objects", pred1.By, len(pred1.Objects))
	step("repository")

	// etcd and kube-apiserver
	cp, err := StartControlPlane(ctx, procs, c.bin, filepath.Join(dir, "cluster"))
	if err != nil {
		t.Fatal(err)
	}
	kube, err := NewKube(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kube-apiserver %s, etcd %s, KUBECONFIG=%s", cp.URL, cp.EtcdURL, cp.Kubeconfig)
	step("control plane")

	// the CRDs of every custom kind the tree uses, from the vendored set the validator uses
	crds, err := waitForCRDs(ctx, t, served.Work)
	if err != nil {
		t.Fatal(err)
	}
	kinds, err := kube.InstallCRDs(ctx, crds)
	if err != nil {
		t.Fatal(err)
	}
	if missing := missingKinds(pred1, kinds); len(missing) > 0 {
		t.Fatalf("schemas/crds has no CRD for kinds the tree uses: %s", strings.Join(missing, ", "))
	}
	s.CRDs = len(crds)
	t.Logf("installed %d CRDs from schemas/crds", len(crds))
	step("CRDs")

	// The apiserver builds each CRD's handler on its first request, which for these 56 takes it
	// about 20 seconds of CPU; list them all now, while Flux starts and syncs, not in the checks.
	warm := make(chan struct{})
	go func() {
		defer close(warm)
		_, _ = kube.FluxManaged(ctx)
	}()
	defer func() { <-warm }()

	// the Flux controllers
	if err := StartFlux(ctx, procs, c.bin, cp); err != nil {
		t.Fatal(err)
	}
	step("Flux controllers")

	// Namespaces the Flux objects go into that no Flux object creates: Big Bang's packages create
	// them (argocd), and Big Bang cannot be fetched here, so they are created as its stand-ins,
	// like its CRDs, and listed.
	s.StandIns = standInNamespaces(pred1)
	for _, ns := range s.StandIns {
		obj := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
			"name": ns, "labels": map[string]any{"e2e.zavestudios.dev/stand-in-for": "bigbang"}}}
		if _, err := kube.Apply(ctx, obj, "platform-e2e", false); err != nil {
			t.Fatal(err)
		}
	}

	// bootstrap, sync, and compare with the prediction
	if err := bootstrap(ctx, kube, served); err != nil {
		t.Fatal(err)
	}
	synced := true
	if err := waitSynced(ctx, kube, pred1.Kustomizations(), served.Head(), 4*time.Minute); err != nil {
		t.Errorf("first sync: %v", err)
		synced = false
	}
	s.Kustomizations = pred1.Kustomizations()
	s.KsReady = readyAt(ctx, kube, s.Kustomizations, served.Head())
	step("first sync")
	if synced {
		s.Checked = true
		res := checkApplied(ctx, t, kube, pred1, served)
		s.FluxObjects, s.ArgoObjects, s.ArgoAbsent, s.Secrets = res.flux, res.argo, res.argoAbsent, res.secrets
		step("checks")

		// HelmReleases: local charts must be Ready, remote sources are listed
		s.LocalHelm, s.LocalHelmReady, s.RemoteHelm = checkHelmReleases(ctx, t, kube, gs.URL)
		step("HelmReleases")

		// a change: CUE edit → platctl render → commit; Flux applies it and prunes
		s.Update = checkUpdate(ctx, t, kube, served, pred1)
		step("update")
	} else {
		s.Update = "not tried: the first sync failed"
	}

	// server-side dry run of everything platctl build predicts for the environment
	dry, err := kube.DryRun(ctx, pred1.Objects)
	if err != nil {
		t.Fatal(err)
	}
	s.DryAccepted, s.DryRejected, s.NamespacesCreated = dry.Accepted, len(dry.Rejected), dry.NamespacesCreated
	for _, r := range dry.Rejected {
		t.Errorf("dry-run rejected %s", r)
	}
	ids := make([]string, 0, len(dry.Warnings))
	for id := range dry.Warnings {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s.DryWarnings += len(dry.Warnings[id])
		for _, w := range dry.Warnings[id] {
			t.Logf("dry-run warning: %s: %s", id, w)
		}
	}
	s.SelfCheck = selfCheck(ctx, t, kube)
	step("dry run")

	var mem []string
	var total int64
	rss := procs.RSS()
	for _, name := range []string{"etcd", "kube-apiserver", "source-controller", "kustomize-controller", "helm-controller"} {
		if r, ok := rss[name]; ok {
			mem = append(mem, fmt.Sprintf("%s %d/%d MB", name, r[0]>>20, r[1]>>20))
			total += r[1]
		}
	}
	if self, err := os.ReadFile("/proc/self/status"); err == nil {
		mem = append(mem, fmt.Sprintf("the suite %d/%d MB", statusKB(self, "VmRSS:")>>10, statusKB(self, "VmHWM:")>>10))
		total += statusKB(self, "VmHWM:") << 10
	}
	s.Memory = fmt.Sprintf("%s; sum of peaks %d MB", strings.Join(mem, ", "), total>>20)
	if ex := procs.Exited(); ex != "" {
		t.Errorf("a process ended early: %s", ex)
	}
}

// waitForCRDs reads schemas/crds/*.yaml, waiting up to 10 minutes for the folder to appear (it is
// vendored by `make schemas`).
func waitForCRDs(ctx context.Context, t *testing.T, repo string) ([]map[string]any, error) {
	glob := filepath.Join(repo, "schemas", "crds", "*.yaml")
	var crds []map[string]any
	err := Poll(ctx, 10*time.Minute, 10*time.Second, func() (bool, string, error) {
		var err error
		crds, err = ReadManifests(glob)
		if err != nil {
			return false, "", err
		}
		if len(crds) == 0 {
			t.Logf("waiting for %s", glob)
		}
		return len(crds) > 0, "no CRDs in " + glob, nil
	})
	return crds, err
}

// missingKinds lists the custom kinds (group/Kind, groups with a dot that are not Kubernetes')
// the tree uses and no CRD serves.
func missingKinds(p *Prediction, served []string) []string {
	var missing []string
	for _, o := range p.Objects {
		g := o.Group()
		if !strings.Contains(g, ".") || strings.HasSuffix(g, ".k8s.io") {
			continue
		}
		gk := g + "/" + o.Kind()
		if !slices.Contains(served, gk) && !slices.Contains(missing, gk) {
			missing = append(missing, gk)
		}
	}
	return missing
}

// standInNamespaces lists the namespaces of objects Flux applies that no Namespace Flux applies
// creates.
func standInNamespaces(p *Prediction) []string {
	created := map[string]bool{}
	for _, o := range p.Engine("flux") {
		if o.Group() == "" && o.Kind() == "Namespace" {
			created[o.Name()] = true
		}
	}
	var out []string
	for _, o := range p.Engine("flux") {
		if ns := o.Namespace(); ns != "" && !created[ns] && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}

// bootstrap does what `flux bootstrap` does once the controllers run: apply
// clusters/<env>/flux-system (the Namespace first) and the SOPS key the layers decrypt with.
func bootstrap(ctx context.Context, kube *Kube, served *Served) error {
	objs, err := KustomizeBuild(served.Work, filepath.Join("clusters", served.Env, "flux-system"))
	if err != nil {
		return err
	}
	slices.SortStableFunc(objs, func(a, b map[string]any) int {
		return boolInt(Object{Object: b}.Kind() == "Namespace") - boolInt(Object{Object: a}.Kind() == "Namespace")
	})
	sopsAge := map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "sops-age", "namespace": "flux-system"},
		"stringData": map[string]any{"age.agekey": served.Key.Identity + "\n"},
	}
	n := slices.IndexFunc(objs, func(m map[string]any) bool { return Object{Object: m}.Kind() != "Namespace" })
	if n < 0 {
		n = len(objs)
	}
	objs = slices.Insert(objs, n, sopsAge)
	for _, o := range objs {
		if _, err := kube.Apply(ctx, o, "platform-e2e-bootstrap", false); err != nil {
			return fmt.Errorf("bootstrap: apply %s: %w", Object{Object: o}.ID(), err)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// waitSynced waits until the flux-system GitRepository has the revision and every Kustomization
// is Ready having applied it. A Kustomization that failed at that revision for a reason other
// than a dependency or the source ends the wait at once, with its message.
func waitSynced(ctx context.Context, kube *Kube, ks []string, rev string, timeout time.Duration) error {
	return Poll(ctx, timeout, 500*time.Millisecond, func() (bool, string, error) {
		repo, err := kube.GetRef(ctx, "source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "flux-system")
		if err != nil {
			return false, "GitRepository flux-system/flux-system: " + err.Error(), nil
		}
		if r, _, _ := unstructured.NestedString(repo.Object, "status", "artifact", "revision"); !strings.Contains(r, rev) {
			_, _, msg := Condition(repo, "Ready")
			return false, fmt.Sprintf("GitRepository flux-system/flux-system at %q, want %s: %s", r, rev[:12], msg), nil
		}
		var waiting []string
		for _, name := range ks {
			ns, n, _ := strings.Cut(name, "/")
			u, err := kube.GetRef(ctx, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, n)
			if err != nil {
				waiting = append(waiting, name+": "+err.Error())
				continue
			}
			st, reason, msg := Condition(u, "Ready")
			applied, _, _ := unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
			attempted, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
			if st == "True" && strings.Contains(applied, rev) {
				continue
			}
			if st == "False" && strings.Contains(attempted, rev) &&
				!slices.Contains([]string{"Progressing", "DependencyNotReady", "ArtifactFailed"}, reason) {
				return false, "", fmt.Errorf("Kustomization %s failed at %s: %s: %s", name, rev[:12], reason, msg)
			}
			waiting = append(waiting, fmt.Sprintf("%s: Ready=%s %s: %s", name, st, reason, msg))
		}
		return len(waiting) == 0, strings.Join(waiting, "; "), nil
	})
}

// readyAt lists the Kustomizations that are Ready having applied rev.
func readyAt(ctx context.Context, kube *Kube, ks []string, rev string) []string {
	var ready []string
	for _, name := range ks {
		ns, nm, _ := strings.Cut(name, "/")
		u, err := kube.GetRef(ctx, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, nm)
		if err != nil {
			continue
		}
		applied, _, _ := unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
		if st, _, _ := Condition(u, "Ready"); st == "True" && strings.Contains(applied, rev) {
			ready = append(ready, name)
		}
	}
	return ready
}

type applied struct{ flux, argo, argoAbsent, secrets int }

// checkApplied compares the apiserver with the prediction: every object Flux applies is there,
// labelled for its Kustomization, with the predicted fields, and listed in the Kustomization's
// inventory; nothing else carries Flux's labels; the SOPS Secrets hold what the test key
// encrypted; and nothing Argo CD owns is there.
func checkApplied(ctx context.Context, t *testing.T, kube *Kube, p *Prediction, served *Served) applied {
	t.Helper()
	var res applied
	t0 := time.Now()
	want := map[string]Object{}
	for ks, objs := range p.Flux() {
		ns, name, _ := strings.Cut(ks, "/")
		live, err := kube.GetRef(ctx, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, name)
		if err != nil {
			t.Errorf("Kustomization %s: %v", ks, err)
			continue
		}
		entries, _, _ := unstructured.NestedSlice(live.Object, "status", "inventory", "entries")
		var inv, pred []string
		for _, e := range entries {
			if m, ok := e.(map[string]any); ok {
				inv = append(inv, fmt.Sprint(m["id"]))
			}
		}
		for _, o := range objs {
			pred = append(pred, o.InventoryID())
			want[o.Key()] = o
		}
		slices.Sort(inv)
		slices.Sort(pred)
		pred = slices.Compact(pred)
		if !slices.Equal(inv, pred) {
			t.Errorf("Kustomization %s: inventory %v, predicted %v", ks, inv, pred)
		}
		for _, o := range objs {
			u, err := kube.Get(ctx, o)
			if err != nil {
				t.Errorf("predicted %s (%s, %s) is not in the apiserver: %v", o.ID(), engineOf(o), o.Where(), err)
				continue
			}
			res.flux++
			if l := u.GetLabels(); l["kustomize.toolkit.fluxcd.io/name"] != name || l["kustomize.toolkit.fluxcd.io/namespace"] != ns {
				t.Errorf("%s: labelled for Kustomization %s/%s, predicted %s", o.ID(),
					l["kustomize.toolkit.fluxcd.io/namespace"], l["kustomize.toolkit.fluxcd.io/name"], ks)
			}
			if o.Group() == "" && o.Kind() == "Secret" {
				if vals, ok := served.Secrets[o.Namespace()+"/"+o.Name()]; ok {
					res.secrets++
					for k, v := range vals {
						got, _, _ := unstructured.NestedString(u.Object, "data", k)
						dec, _ := base64.StdEncoding.DecodeString(got)
						if string(dec) != v {
							t.Errorf("%s: key %s decrypted to %q, the test key encrypted %q", o.ID(), k, dec, v)
						}
					}
				}
				continue
			}
			for _, m := range Mismatches(withoutSOPS(o.Object), u.Object, "") {
				t.Errorf("%s (%s): %s", o.ID(), o.Where(), m)
			}
		}
	}
	t1 := time.Now()
	managed, err := kube.FluxManaged(ctx)
	if err != nil {
		t.Errorf("list Flux-labelled objects: %v", err)
	}
	for key, u := range managed {
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected object in the apiserver: %s %s/%s, labelled for Kustomization %s/%s, not predicted",
				u.GetKind(), u.GetNamespace(), u.GetName(),
				u.GetLabels()["kustomize.toolkit.fluxcd.io/namespace"], u.GetLabels()["kustomize.toolkit.fluxcd.io/name"])
		}
	}
	t2 := time.Now()
	for _, o := range p.Engine("argocd") {
		res.argo++
		if f, ok := want[o.Key()]; ok {
			t.Errorf("%s is applied by both Flux (%s) and Argo CD (%s)", o.ID(), engineOf(f), engineOf(o))
		}
		_, err := kube.Get(ctx, o)
		switch {
		case apierrors.IsNotFound(err):
			res.argoAbsent++
		case err == nil:
			t.Errorf("%s (%s, %s) is in the apiserver, but only Argo CD, which is not running, applies it", o.ID(), engineOf(o), o.Where())
		default:
			t.Errorf("%s: %v", o.ID(), err)
		}
	}
	t.Logf("checked %d Flux objects (%.1fs), %d Flux-labelled objects in the apiserver (%.1fs), %d Argo CD objects (%.1fs)",
		res.flux, t1.Sub(t0).Seconds(), len(managed), t2.Sub(t1).Seconds(), res.argo, time.Since(t2).Seconds())
	return res
}

func withoutSOPS(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != "sops" {
			out[k] = v
		}
	}
	return out
}

// checkHelmReleases waits for every HelmRelease whose chart comes from the local Git server to be
// Ready, and lists those whose source is elsewhere (Big Bang's repository) with what their source
// reports: unreachable offline, as expected here.
func checkHelmReleases(ctx context.Context, t *testing.T, kube *Kube, localURL string) (local int, ready, remote []string) {
	t.Helper()
	hrs, err := kube.List(ctx, "helm.toolkit.fluxcd.io/v2", "HelmRelease")
	if err != nil {
		t.Errorf("list HelmReleases: %v", err)
		return 0, nil, nil
	}
	for _, hr := range hrs {
		id := hr.GetNamespace() + "/" + hr.GetName()
		kind, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "sourceRef", "kind")
		name, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "sourceRef", "name")
		ns, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "sourceRef", "namespace")
		if kind == "" {
			kind, _, _ = unstructured.NestedString(hr.Object, "spec", "chartRef", "kind")
			name, _, _ = unstructured.NestedString(hr.Object, "spec", "chartRef", "name")
			ns, _, _ = unstructured.NestedString(hr.Object, "spec", "chartRef", "namespace")
		}
		if ns == "" {
			ns = hr.GetNamespace()
		}
		src := fmt.Sprintf("%s %s/%s", kind, ns, name)
		var url string
		if s, err := kube.GetRef(ctx, "source.toolkit.fluxcd.io/v1", kind, ns, name); err == nil {
			url, _, _ = unstructured.NestedString(s.Object, "spec", "url")
		}
		if strings.HasPrefix(url, localURL) {
			local++
			err := Poll(ctx, 3*time.Minute, time.Second, func() (bool, string, error) {
				u, err := kube.GetRef(ctx, "helm.toolkit.fluxcd.io/v2", "HelmRelease", hr.GetNamespace(), hr.GetName())
				if err != nil {
					return false, err.Error(), nil
				}
				st, reason, msg := Condition(u, "Ready")
				return st == "True", reason + ": " + msg, nil
			})
			if err != nil {
				t.Errorf("HelmRelease %s (chart from %s, in this repository) is not Ready: %v", id, src, err)
				continue
			}
			ready = append(ready, id)
			continue
		}
		// give the source a moment to fail its first fetch, so the report says why.
		var why string
		_ = Poll(ctx, 60*time.Second, time.Second, func() (bool, string, error) {
			s, err := kube.GetRef(ctx, "source.toolkit.fluxcd.io/v1", kind, ns, name)
			if err != nil {
				why = err.Error()
				return false, why, nil
			}
			st, reason, msg := Condition(s, "Ready")
			why = fmt.Sprintf("%s Ready=%s %s: %s", src, st, reason, msg)
			return st == "False" && reason != "Progressing", why, nil
		})
		u, err := kube.GetRef(ctx, "helm.toolkit.fluxcd.io/v2", "HelmRelease", hr.GetNamespace(), hr.GetName())
		hrState := ""
		if err == nil {
			st, reason, _ := Condition(u, "Ready")
			hrState = fmt.Sprintf("Ready=%s %s", st, reason)
		}
		remote = append(remote, fmt.Sprintf("HelmRelease %s (%s), chart from %s: %s", id, hrState, url, why))
		t.Logf("source unreachable offline (expected here): HelmRelease %s: %s", id, why)
	}
	return local, ready, remote
}

// checkUpdate commits DefaultChange, waits for Flux to apply it and checks every difference
// between the two predictions landed: changed objects have their new fields, new ones exist,
// removed ones are pruned. The change must both change and remove something.
func checkUpdate(ctx context.Context, t *testing.T, kube *Kube, served *Served, pred1 *Prediction) string {
	t.Helper()
	if err := served.Commit(ctx, DefaultChange); err != nil {
		t.Errorf("commit the change: %v", err)
		return "failed: " + err.Error()
	}
	pred2, err := Predict(ctx, served.platctl, served.Work, served.Env, served.OriginalURL)
	if err != nil {
		t.Errorf("predict after the change: %v", err)
		return "failed"
	}
	start := time.Now()
	now := time.Now().Format(time.RFC3339Nano)
	if err := kube.Annotate(ctx, "source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "flux-system",
		map[string]string{"reconcile.fluxcd.io/requestedAt": now}); err != nil {
		t.Errorf("request reconcile: %v", err)
	}
	if err := waitSynced(ctx, kube, pred2.Kustomizations(), served.Head(), 3*time.Minute); err != nil {
		t.Errorf("sync of the change: %v", err)
		return "failed: " + err.Error()
	}
	took := time.Since(start)
	flat := func(p *Prediction) []Object {
		var out []Object
		for _, objs := range p.Flux() {
			out = append(out, objs...)
		}
		return out
	}
	removed, added, changed := DiffKeys(flat(pred1), flat(pred2))
	if len(removed) == 0 || len(changed) == 0 {
		t.Errorf("the change %q must change and remove Flux objects; it changed %d and removed %d: update DefaultChange",
			DefaultChange.Description, len(changed), len(removed))
	}
	for _, o := range removed {
		if _, err := kube.Get(ctx, o); !apierrors.IsNotFound(err) {
			t.Errorf("%s was removed from the tree but not pruned (err %v)", o.ID(), err)
		}
	}
	checkApplied(ctx, t, kube, pred2, served)
	names := func(objs []Object) string {
		var s []string
		for _, o := range objs {
			s = append(s, o.Kind()+" "+o.Namespace()+"/"+o.Name())
		}
		return orNone(s)
	}
	return fmt.Sprintf("commit %s (%s) applied in %.1fs: changed %s; added %s; pruned %s",
		served.Head()[:12], DefaultChange.Description, took.Seconds(), names(changed), names(added), names(removed))
}

// selfCheck proves the dry run catches CEL rules: a valid NodePool is accepted and the same one
// with a label in the restricted karpenter.sh domain is rejected, naming the object.
func selfCheck(ctx context.Context, t *testing.T, kube *Kube) string {
	t.Helper()
	valid, invalid := InvalidNodePool()
	res, err := kube.DryRun(ctx, []Object{valid})
	if err != nil || len(res.Rejected) > 0 {
		t.Errorf("self-check: a valid NodePool was rejected: %v %v", err, res)
		return "FAILED: valid NodePool rejected"
	}
	res, err = kube.DryRun(ctx, []Object{invalid})
	if err != nil || len(res.Rejected) != 1 {
		t.Errorf("self-check: a NodePool breaking a CEL rule was accepted: %v", err)
		return "FAILED: invalid NodePool accepted"
	}
	msg := res.Rejected[0].String()
	if !containsAll(msg, "NodePool/e2e-cel-check", "restricted") {
		t.Errorf("self-check: rejection does not name the object and the rule: %s", msg)
	}
	return "a NodePool breaking a CEL rule is rejected: " + msg
}
