package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// DryRunManager is the field manager of the dry run and of the namespaces it creates.
const DryRunManager = "platform-e2e-dry-run"

// Rejection is an object the apiserver refused, with its message.
type Rejection struct {
	Object  Object
	Message string
}

func (r Rejection) String() string {
	return fmt.Sprintf("%s (%s, %s): %s", r.Object.ID(), engineOf(r.Object), r.Object.Where(), r.Message)
}

func engineOf(o Object) string {
	switch {
	case o.Origin.Kustomization != "":
		return "Flux Kustomization " + o.Origin.Kustomization
	case o.Origin.Application != "":
		return "Argo CD Application " + o.Origin.Application
	case o.Origin.HelmRelease != "":
		return "HelmRelease " + o.Origin.HelmRelease
	}
	return o.Origin.Engine
}

// DryRunResult is what the apiserver said about every object.
type DryRunResult struct {
	Accepted int
	Rejected []Rejection
	// Warnings are the apiserver's warnings (Pod Security, deprecations), per object ID.
	Warnings map[string][]string
	// NamespacesCreated are the namespaces that did not exist and were created (for real) so
	// the objects in them could be dry-run: the applications' namespaces, which Argo CD creates.
	NamespacesCreated []string
}

// DryRun server-side applies every object with dryRun=All and strict field validation, so that
// what only the apiserver checks (CRD schemas and CEL rules, defaulting, immutable fields
// against what is stored, admission) is checked for the whole tree. Cluster-scoped objects go
// first; then namespaces that do not exist yet are created from their predicted Namespace (or
// bare, if the tree has none), since a namespaced object cannot be dry-run into a missing
// namespace; then the namespaced objects. An object predicted twice is sent once.
func (k *Kube) DryRun(ctx context.Context, objs []Object) (*DryRunResult, error) {
	res := &DryRunResult{Warnings: map[string][]string{}}
	seen := map[string]bool{}
	namespaces := map[string]Object{}
	var cluster, namespaced []Object
	for _, o := range objs {
		if seen[o.Key()] {
			continue
		}
		seen[o.Key()] = true
		o = Object{Object: forDryRun(o), Origin: o.Origin}
		m, err := k.mapping(o.APIVersion(), o.Kind())
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{o, "the apiserver does not serve this kind (is its CRD in schemas/crds?): " + err.Error()})
			continue
		}
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			namespaced = append(namespaced, o)
		} else {
			cluster = append(cluster, o)
			if o.Group() == "" && o.Kind() == "Namespace" {
				namespaces[o.Name()] = o
			}
		}
	}
	send := func(o Object) {
		warn, err := k.Apply(ctx, o.Object, DryRunManager, true)
		if len(warn) > 0 {
			res.Warnings[o.ID()] = append(res.Warnings[o.ID()], warn...)
		}
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{o, err.Error()})
			return
		}
		res.Accepted++
	}
	for _, o := range cluster {
		send(o)
	}
	var missing []string
	for _, o := range namespaced {
		if !slices.Contains(missing, o.Namespace()) {
			missing = append(missing, o.Namespace())
		}
	}
	for _, ns := range missing {
		nsObj := Object{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		if _, err := k.Get(ctx, nsObj); err == nil {
			continue
		} else if !apierrors.IsNotFound(err) {
			return nil, err
		}
		if p, ok := namespaces[ns]; ok {
			nsObj = p
		}
		if _, err := k.Apply(ctx, nsObj.Object, DryRunManager, false); err != nil {
			// it was dry-run above, so a rejection is already reported; the objects in it
			// will be rejected too, naming the namespace.
			continue
		}
		res.NamespacesCreated = append(res.NamespacesCreated, ns)
	}
	for _, o := range namespaced {
		send(o)
	}
	return res, nil
}

// forDryRun returns the object as the controller would send it: a SOPS-encrypted manifest
// decrypted (the sops block dropped, each value a placeholder, since the key is not here; platctl
// build masks them the same way), everything else as predicted.
func forDryRun(o Object) map[string]any {
	var obj map[string]any
	data, _ := json.Marshal(o.Object)
	_ = json.Unmarshal(data, &obj)
	if _, ok := obj["sops"]; !ok {
		return obj
	}
	delete(obj, "sops")
	for _, field := range []string{"data", "stringData"} {
		m, ok := obj[field].(map[string]any)
		if !ok {
			continue
		}
		for key := range m {
			if field == "data" {
				m[key] = base64.StdEncoding.EncodeToString([]byte("dry-run"))
			} else {
				m[key] = "dry-run"
			}
		}
	}
	return obj
}

// InvalidNodePool is the suite's proof that the dry run catches what only the apiserver checks:
// a Karpenter NodePool that breaks one of the CRD's CEL rules (a template label in the restricted
// karpenter.sh domain). valid is the same NodePool without that label, which must be accepted.
func InvalidNodePool() (valid, invalid Object) {
	mk := func(labels map[string]any) Object {
		return Object{
			Object: map[string]any{
				"apiVersion": "karpenter.sh/v1",
				"kind":       "NodePool",
				"metadata":   map[string]any{"name": "e2e-cel-check"},
				"spec": map[string]any{
					"template": map[string]any{
						"metadata": map[string]any{"labels": labels},
						"spec": map[string]any{
							"nodeClassRef": map[string]any{"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
							"requirements": []any{
								map[string]any{"key": "karpenter.sh/capacity-type", "operator": "In", "values": []any{"spot"}},
							},
						},
					},
				},
			},
			Origin: Origin{Engine: "e2e", File: "tools/e2e/dryrun.go"},
		}
	}
	return mk(map[string]any{"zavestudios.dev/pool": "e2e"}),
		mk(map[string]any{"zavestudios.dev/pool": "e2e", "karpenter.sh/e2e": "restricted-domain"})
}

// containsAll reports whether s contains every part.
func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
