package build

import (
	"context"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

const (
	kustomizeGroup = "kustomize.toolkit.fluxcd.io"
	helmGroup      = "helm.toolkit.fluxcd.io"
	argoGroup      = "argoproj.io"
)

// unit is one object a controller expands: a Flux Kustomization, a HelmRelease or an Argo CD
// Application.
type unit struct{ obj manifest.Object }

func (u unit) key() string { return u.obj.Kind() + "/" + nsName(u.obj) }

func isKustomization(o manifest.Object) bool {
	return o.Group() == kustomizeGroup && o.Kind() == "Kustomization"
}

func isHelmRelease(o manifest.Object) bool {
	return o.Group() == helmGroup && o.Kind() == "HelmRelease"
}

func isApplication(o manifest.Object) bool {
	return o.Group() == argoGroup && o.Kind() == "Application"
}

// enqueue queues an object if a controller expands it. Each unit is built once, however many
// times the tree produces it.
func (b *Builder) enqueue(o manifest.Object) {
	switch {
	case isKustomization(o), isHelmRelease(o), isApplication(o):
	case o.Group() == argoGroup && o.Kind() == "ApplicationSet":
		b.report(finding.Info, o.Origin, o.ID(), "applicationset",
			"ApplicationSet generators need the cluster: its Applications are not built")
		return
	default:
		return
	}
	u := unit{obj: o}
	if b.queued[u.key()] {
		return
	}
	b.queued[u.key()] = true
	if isKustomization(o) && nsName(o) == b.bootstrap {
		return // the entry directory is this Kustomization's output, built already
	}
	b.queue = append(b.queue, u)
}

// drain builds queued units until none are left. A unit whose inputs (its source object, the
// ConfigMaps and Secrets it reads) another unit has yet to produce waits; when every remaining
// unit waits, the first is built anyway and its missing inputs are reported. So a unit reads
// what other units produce whatever the order of the files that declare them.
//
// Kustomizations further down the round are built ahead on workers (see speculate.go); each
// result is still taken here, in order.
func (b *Builder) drain(ctx context.Context) error {
	for len(b.queue) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		pending := b.queue
		b.queue = nil
		b.spec.newRound(pending)
		var waiting []unit
		for i, u := range pending {
			ready := b.ready(u) // may resolve the source the units after it share
			b.prefetch(i)
			j := b.spec.take(u)
			if !ready {
				waiting = append(waiting, u)
				continue
			}
			b.process(ctx, u, j)
		}
		if len(waiting) == len(pending) {
			b.process(ctx, waiting[0], nil)
			waiting = waiting[1:]
		}
		b.queue = append(waiting, b.queue...)
	}
	return nil
}

func (b *Builder) ready(u unit) bool {
	o := u.obj
	switch {
	case isKustomization(o):
		ref := mapAt(o.Object, "spec", "sourceRef")
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		ns, _ := ref["namespace"].(string)
		return b.sourceReady(kind, or(ns, o.Namespace()), name) &&
			b.refsReady(o.Namespace(), maps(sliceAt(o.Object, "spec", "postBuild", "substituteFrom")))
	case isHelmRelease(o):
		kind, ns, name := chartSourceRef(o)
		return b.sourceReady(kind, ns, name) &&
			b.refsReady(o.Namespace(), maps(sliceAt(o.Object, "spec", "valuesFrom")))
	}
	return true
}

// sourceReady reports whether a source reference can be resolved now: mapped, this repository,
// or its object already built.
func (b *Builder) sourceReady(kind, ns, name string) bool {
	switch kind {
	case "":
		return true
	case "HelmChart":
		_, ok := b.st.get(sourceGroup, kind, ns, name)
		return ok
	}
	s := b.resolveSource(kind, ns, name)
	return s.missing == ""
}

func (b *Builder) process(ctx context.Context, u unit, j *job) {
	switch o := u.obj; {
	case isKustomization(o):
		b.buildKustomization(ctx, o, j)
	case isHelmRelease(o):
		b.inflateHelmRelease(o)
	case isApplication(o):
		b.buildApplication(o)
	}
}
