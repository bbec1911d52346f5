package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Kube is the suite's client of the apiserver: dynamic, so it handles every kind, CRDs included.
type Kube struct {
	cfg      *rest.Config
	dyn      dynamic.Interface
	disc     discovery.CachedDiscoveryInterface
	mapper   *restmapper.DeferredDiscoveryRESTMapper
	warnings *warningRecorder
}

// NewKube returns a client for cfg.
func NewKube(cfg *rest.Config) (*Kube, error) {
	cfg = rest.CopyConfig(cfg)
	w := &warningRecorder{}
	cfg.WarningHandler = w
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc := memory.NewMemCacheClient(dc)
	return &Kube{cfg: cfg, dyn: dyn, disc: disc, mapper: restmapper.NewDeferredDiscoveryRESTMapper(disc), warnings: w}, nil
}

// warningRecorder keeps the warnings the apiserver sends (deprecations, Pod Security, unknown
// fields when not strict) so the dry run can attribute them to the object it sent.
type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningRecorder) HandleWarningHeader(_ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.msgs
	w.msgs = nil
	return m
}

// mapping resolves an object's apiVersion and kind to its resource.
func (k *Kube) mapping(apiVersion, kind string) (*meta.RESTMapping, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, err
	}
	m, err := k.mapper.RESTMapping(gv.WithKind(kind).GroupKind(), gv.Version)
	if meta.IsNoMatchError(err) {
		k.mapper.Reset() // a CRD may have been installed since discovery was cached
		m, err = k.mapper.RESTMapping(gv.WithKind(kind).GroupKind(), gv.Version)
	}
	return m, err
}

func (k *Kube) resourceFor(obj map[string]any) (dynamic.ResourceInterface, error) {
	o := Object{Object: obj}
	m, err := k.mapping(o.APIVersion(), o.Kind())
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return k.dyn.Resource(m.Resource).Namespace(o.Namespace()), nil
	}
	return k.dyn.Resource(m.Resource), nil
}

// Get reads the live object with o's identity.
func (k *Kube) Get(ctx context.Context, o Object) (*unstructured.Unstructured, error) {
	r, err := k.resourceFor(o.Object)
	if err != nil {
		return nil, err
	}
	return r.Get(ctx, o.Name(), metav1.GetOptions{})
}

// GetRef reads a live object by apiVersion, kind, namespace and name.
func (k *Kube) GetRef(ctx context.Context, apiVersion, kind, namespace, name string) (*unstructured.Unstructured, error) {
	return k.Get(ctx, Object{Object: map[string]any{
		"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"namespace": namespace, "name": name},
	}})
}

// List lists every object of a kind in all namespaces.
func (k *Kube) List(ctx context.Context, apiVersion, kind string) ([]unstructured.Unstructured, error) {
	m, err := k.mapping(apiVersion, kind)
	if err != nil {
		return nil, err
	}
	l, err := k.dyn.Resource(m.Resource).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// Apply server-side applies obj as manager, forcing conflicts, with strict field validation (an
// unknown or duplicate field is an error, as kubectl does). With dryRun it is dryRun=All: every
// admission and validation step runs and nothing is stored. It returns the warnings the
// apiserver sent.
func (k *Kube) Apply(ctx context.Context, obj map[string]any, manager string, dryRun bool) ([]string, error) {
	r, err := k.resourceFor(obj)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	opts := metav1.PatchOptions{FieldManager: manager, Force: ptr(true), FieldValidation: "Strict"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	k.warnings.take()
	_, err = r.Patch(ctx, Object{Object: obj}.Name(), types.ApplyPatchType, data, opts)
	return k.warnings.take(), err
}

func ptr[T any](v T) *T { return &v }

// Annotate merges annotations into a live object.
func (k *Kube) Annotate(ctx context.Context, apiVersion, kind, namespace, name string, ann map[string]string) error {
	r, err := k.resourceFor(map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"namespace": namespace, "name": name}})
	if err != nil {
		return err
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": ann}})
	_, err = r.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

// ReadManifests decodes every object in the YAML files matching glob.
func ReadManifests(glob string) ([]map[string]any, error) {
	files, err := filepath.Glob(glob)
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objs, err := decodeYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

func decodeYAML(data []byte) ([]map[string]any, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []map[string]any
	for {
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if m != nil {
			out = append(out, m)
		}
	}
}

// InstallCRDs applies the CRDs and waits until every one is Established. It returns the kinds
// they serve.
func (k *Kube) InstallCRDs(ctx context.Context, crds []map[string]any) ([]string, error) {
	var names, kinds []string
	for _, c := range crds {
		if _, err := k.Apply(ctx, c, "platform-e2e", false); err != nil {
			return nil, fmt.Errorf("apply CRD %s: %w", Object{Object: c}.Name(), err)
		}
		o := Object{Object: c}
		names = append(names, o.Name())
		kinds = append(kinds, o.str("spec", "group")+"/"+o.str("spec", "names", "kind"))
	}
	err := Poll(ctx, 60*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		for _, n := range names {
			u, err := k.GetRef(ctx, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", n)
			if err != nil {
				return false, n + ": " + err.Error(), nil
			}
			if st, _, msg := Condition(u, "Established"); st != "True" {
				return false, n + " not Established: " + msg, nil
			}
		}
		return true, "", nil
	})
	k.mapper.Reset()
	return kinds, err
}

// Condition returns the status, reason and message of a status condition.
func Condition(u *unstructured.Unstructured, typ string) (status, reason, message string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != typ {
			continue
		}
		s, _ := m["status"].(string)
		r, _ := m["reason"].(string)
		msg, _ := m["message"].(string)
		return s, r, msg
	}
	return "Unknown", "", "no " + typ + " condition yet"
}

// Poll calls f until it reports done, fails, or timeout passes; the timeout error carries f's last
// word on why it is not done.
func Poll(ctx context.Context, timeout, every time.Duration, f func() (done bool, why string, err error)) error {
	deadline := time.Now().Add(timeout)
	for {
		done, why, err := f()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %s: %s", timeout, why)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

// FluxManaged lists every object in the apiserver, of every kind that can be listed, that carries
// kustomize-controller's kustomize.toolkit.fluxcd.io/name label, by group/Kind/namespace/name.
func (k *Kube) FluxManaged(ctx context.Context) (map[string]*unstructured.Unstructured, error) {
	k.disc.Invalidate()
	lists, err := k.disc.ServerPreferredResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, err
	}
	out := map[string]*unstructured.Unstructured{}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			items, err := k.dyn.Resource(gv.WithResource(r.Name)).List(ctx, metav1.ListOptions{LabelSelector: "kustomize.toolkit.fluxcd.io/name"})
			if err != nil {
				if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
					continue
				}
				return nil, fmt.Errorf("list %s: %w", r.Name, err)
			}
			for i := range items.Items {
				u := &items.Items[i]
				key := strings.Join([]string{gv.Group, u.GetKind(), u.GetNamespace(), u.GetName()}, "/")
				out[key] = u
			}
		}
	}
	return out, nil
}

// Mismatches compares the fields of want with the live object got: every field want sets must be
// in got with the same value (got may have more: defaults, status, labels Flux adds). Quantities
// compare by value, since the apiserver canonicalises them.
func Mismatches(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, live has %s", orRoot(path), short(got))}
		}
		var out []string
		keys := make([]string, 0, len(w))
		for key := range w {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			gv, ok := g[key]
			if !ok {
				if w[key] == nil {
					continue
				}
				out = append(out, fmt.Sprintf("%s/%s: missing in the live object (want %s)", path, key, short(w[key])))
				continue
			}
			out = append(out, Mismatches(w[key], gv, path+"/"+key)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %s, live has %s", orRoot(path), short(want), short(got))}
		}
		var out []string
		for i := range w {
			out = append(out, Mismatches(w[i], g[i], fmt.Sprintf("%s/%d", path, i))...)
		}
		return out
	}
	if scalarEqual(want, got) {
		return nil
	}
	return []string{fmt.Sprintf("%s: want %s, live has %s", orRoot(path), short(want), short(got))}
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func scalarEqual(a, b any) bool {
	if jsonEqual(a, b) {
		return true
	}
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			return fa == fb
		}
	}
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		qa, errA := resource.ParseQuantity(sa)
		qb, errB := resource.ParseQuantity(sb)
		return errA == nil && errB == nil && qa.Cmp(qb) == 0
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func short(v any) string {
	s, _ := json.Marshal(v)
	if len(s) > 120 {
		return string(s[:120]) + "…"
	}
	return string(s)
}
