package build

import (
	"cmp"
	"context"
	"errors"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// Kustomize builds are most of a tree's build time and independent of each other but for what
// they read from the tree built so far, so upcoming Flux Kustomizations are built on workers
// while the queue is drained in its usual order. Nothing else changes: a unit's result is still
// taken, reported and stored when the queue reaches it, so objects, findings and the order of
// everything are those of a sequential build.
//
// A build reads, of the Builder, its source's directory, the Kustomization's spec and
// namespace (fluxcd/pkg/kustomize's generator and substitution read nothing else of it), and
// the ConfigMaps and Secrets substitution takes variables from. A Kustomization is started early
// when those are known: its source resolved (resolveSource keeps a resolved source for good) and
// every ConfigMap and Secret it reads in the store (the store only grows, and the first object
// of a key is the one found), so they are still the same when the queue reaches it. While the
// entry directory builds, the Kustomizations its files declare are started too, guessing their
// source is this working tree and their spec the one in the file; when the queue reaches one,
// the guess is checked against what it actually builds, and a wrong guess is built again.

// speculationWindow is how many started builds may wait for the queue per worker: enough to
// keep the workers busy while the queue renders a chart, few enough that their objects do not
// pile up in memory.
const speculationWindow = 4

// entryWindow bounds the builds started from the entry directory's files: the entry build of a
// large tree (kustomize's accumulation is quadratic in a directory's objects) takes long enough
// for the workers to get through hundreds of them.
const entryWindow = 512

// speculator runs Kustomization builds ahead of the queue on worker goroutines.
type speculator struct {
	jobs chan *job
	// cpus holds a token per build running, one per CPU. The queue holds one while it builds
	// the entry directory: everything else waits for that build, so it keeps a CPU to itself
	// rather than sharing it with the workers.
	cpus    chan struct{}
	wg      sync.WaitGroup
	window  int
	pending []unit          // the round being drained
	next    int             // the first position in pending not yet considered
	started map[string]*job // by unit key, until the queue reaches them
	ahead   int             // how many of them prefetch started
}

// job is one Kustomization built ahead of the queue.
type job struct {
	run   *kustomizeRun
	done  chan struct{}
	res   kustomizeResult
	ahead bool // started by prefetch rather than from the entry directory
	// dropped is set when nothing will take the result: a worker that has not begun the
	// build skips it.
	dropped atomic.Bool
}

// startSpeculation starts the workers, unless there is a single CPU to run them on.
func (b *Builder) startSpeculation(ctx context.Context) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 {
		return
	}
	initSchema()
	s := &speculator{jobs: make(chan *job, entryWindow), cpus: make(chan struct{}, workers),
		window: workers * speculationWindow, started: map[string]*job{}}
	for range workers {
		s.wg.Go(func() {
			for j := range s.jobs {
				if j.dropped.Load() || ctx.Err() != nil {
					j.res.err = context.Canceled
					close(j.done)
					continue
				}
				// The worker holds the read lock for the whole run: converting and
				// substituting resources reads kustomize's schema too.
				s.cpus <- struct{}{}
				kustomizeMu.RLock()
				j.res = b.kustomize(ctx, j.run)
				kustomizeMu.RUnlock()
				<-s.cpus
				close(j.done)
			}
		})
	}
	b.spec = s
}

// busy takes a CPU from the workers until the returned function is called.
func (s *speculator) busy() func() {
	if s == nil {
		return func() {}
	}
	s.cpus <- struct{}{}
	return func() { <-s.cpus }
}

// stopSpeculation waits for the workers; builds the queue never reached are dropped.
func (b *Builder) stopSpeculation() {
	if b.spec == nil {
		return
	}
	b.spec.drop()
	close(b.spec.jobs)
	b.spec.wg.Wait()
	b.spec = nil
}

// drop drops the builds nothing has taken.
func (s *speculator) drop() {
	for _, j := range s.started {
		j.dropped.Store(true)
	}
	clear(s.started)
	s.ahead = 0
}

func (s *speculator) start(key string, r *kustomizeRun, ahead bool) {
	r.shared = true
	j := &job{run: r, done: make(chan struct{}), ahead: ahead}
	s.started[key] = j
	if ahead {
		s.ahead++
	}
	s.jobs <- j
}

// newRound tells the speculator the queue starts a round over pending. Builds started for
// units of the last round that the queue did not reach (a guess from the entry directory that
// never became a unit) are dropped.
func (s *speculator) newRound(pending []unit) {
	if s == nil {
		return
	}
	if s.pending != nil {
		s.drop()
	}
	s.pending, s.next = pending, 0
}

// take returns the build started for u, if any.
func (s *speculator) take(u unit) *job {
	if s == nil || len(s.started) == 0 {
		return nil
	}
	key := u.key()
	j := s.started[key]
	if j != nil {
		delete(s.started, key)
		if j.ahead {
			s.ahead--
		}
	}
	return j
}

// prefetch starts builds for the units after position i, up to the window. It stops at a
// Kustomization whose source is not resolved yet: the queue is about to resolve it.
func (b *Builder) prefetch(i int) {
	s := b.spec
	if s == nil {
		return
	}
	s.next = max(s.next, i+1)
	for s.next < len(s.pending) && s.ahead < s.window {
		u := s.pending[s.next]
		if isKustomization(u.obj) && s.started[u.key()] == nil {
			r, wait := b.speculativeRun(u)
			if wait {
				return
			}
			if r != nil {
				s.start(u.key(), r, true)
			}
		}
		s.next++
	}
}

// speculativeRun prepares the build buildKustomization would run for u when the queue reaches
// it, or nil when it cannot be known yet; wait asks prefetch to come back later.
func (b *Builder) speculativeRun(u unit) (r *kustomizeRun, wait bool) {
	ks := u.obj
	ref := mapAt(ks.Object, "spec", "sourceRef")
	kind, _ := ref["kind"].(string)
	name, _ := ref["name"].(string)
	ns, _ := ref["namespace"].(string)
	src, ok := b.sources[kind+"/"+or(ns, ks.Namespace())+"/"+name]
	switch {
	case !ok:
		return nil, true
	case src.missing != "" || src.remote || src.dir == "":
		return nil, false
	}
	spec, all := b.postBuildRefs(ks, false)
	if !all {
		return nil, false
	}
	// The worker reads the ConfigMaps and Secrets from a snapshot, not from the store the
	// queue keeps adding to; they are all there already, and stay what they are.
	found := map[string]manifest.Object{}
	for _, ref := range maps(sliceAt(spec, "spec", "postBuild", "substituteFrom")) {
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		found[kind+"/"+ks.Namespace()+"/"+name], _ = b.st.get("", kind, ks.Namespace(), name)
	}
	dir := securePath(src.dir, or(strAt(ks.Object, "spec", "path"), "./"))
	r = b.newRun(src, dir, spec)
	r.lookup = func(kind, ns, name string) (manifest.Object, bool) {
		o, ok := found[kind+"/"+ns+"/"+name]
		return o, ok
	}
	return r, false
}

// predictEntry starts builds for the Kustomizations the entry directory's files declare, while
// the entry itself builds: guessed to read this working tree, with the spec in the file. Those
// whose guess could not hold are left out: a source other than a GitRepository, post-build
// substitution from ConfigMaps or Secrets (none is built yet), and the bootstrap Kustomization
// (whose path is the entry directory: it is never queued). They start in the order kustomize
// lists them, by namespace and name.
func (b *Builder) predictEntry(objs []manifest.Object) {
	s := b.spec
	if s == nil {
		return
	}
	entry := path.Clean(filepath.ToSlash(b.opts.Path))
	root := &source{ref: "working tree", dir: b.opts.Root}
	var ks []manifest.Object
	for _, o := range objs {
		_, substituteFrom := mapAt(o.Object, "spec", "postBuild")["substituteFrom"]
		switch {
		case !isKustomization(o), strAt(o.Object, "spec", "sourceRef", "kind") != "GitRepository", substituteFrom,
			path.Clean(strings.TrimPrefix(strAt(o.Object, "spec", "path"), "/")) == entry:
			continue
		}
		ks = append(ks, o)
	}
	slices.SortStableFunc(ks, func(a, c manifest.Object) int {
		return cmp.Or(cmp.Compare(a.Namespace(), c.Namespace()), cmp.Compare(a.Name(), c.Name()))
	})
	for _, o := range ks {
		key := unit{obj: o}.key()
		if len(s.started) >= entryWindow {
			return
		}
		if s.started[key] != nil {
			continue
		}
		dir := securePath(root.dir, or(strAt(o.Object, "spec", "path"), "./"))
		r := b.newRun(root, dir, copyMap(o.Object))
		r.lookup = func(string, string, string) (manifest.Object, bool) { return manifest.Object{}, false }
		s.start(key, r, false)
	}
}

// collect returns the result of r: the one j built ahead when it built the same (see the top of
// this file for what that takes), else r built now; also when j met a kustomization that needs
// the exclusive lock, or when artifacts staged since could show in its error message.
func (b *Builder) collect(ctx context.Context, j *job, r *kustomizeRun) kustomizeResult {
	if j != nil && sameBuild(j.run, r) {
		<-j.done
		switch {
		case errors.Is(j.res.err, errExclusive), errors.Is(j.res.err, context.Canceled):
		case j.res.err != nil && len(j.run.tmpDirs) != len(r.tmpDirs):
		default:
			return j.res
		}
	}
	return b.kustomize(ctx, r)
}

// sameBuild reports whether two runs read the same: the same source directory (the same source,
// or both plain directories), path, Kustomization spec and namespace. The ConfigMaps and Secrets
// a run reads are known to be the same when it starts (see speculativeRun); a guess from the
// entry directory reads none.
func sameBuild(a, c *kustomizeRun) bool {
	plain := func(s *source) bool { return s.files == nil && !s.remote && s.missing == "" }
	return (a.src == c.src || a.src.dir == c.src.dir && plain(a.src) && plain(c.src)) &&
		a.dir == c.dir &&
		manifest.Object{Object: a.ks}.Namespace() == manifest.Object{Object: c.ks}.Namespace() &&
		reflect.DeepEqual(a.ks["spec"], c.ks["spec"])
}
