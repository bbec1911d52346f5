package build

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	fluxk "github.com/fluxcd/pkg/kustomize"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/kustomize/api/provider"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// sopsVarMask stands in for a variable read from a SOPS-encrypted Secret. It is a plain YAML
// scalar, so substituting it never breaks the document the way "**SOPS**" (an alias) would.
const sopsVarMask = "SOPS-MASKED"

// treeClient answers fluxcd/pkg/kustomize's LoadVariables from the objects built so far instead
// of a cluster: postBuild.substituteFrom reads the ConfigMaps and Secrets the tree itself
// applies. LoadVariables only calls Get; the embedded interface is never used.
type treeClient struct {
	client.Client
	// lookup finds an object by kind, namespace and name in the core group.
	lookup func(kind, ns, name string) (manifest.Object, bool)
}

// Get fills a ConfigMap or Secret from the built tree, the way the apiserver would serve it
// (a Secret's stringData merged into data).
func (c treeClient) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		u, ok := c.lookup("ConfigMap", key.Namespace, key.Name)
		if !ok {
			return apierrors.NewNotFound(corev1.Resource("configmaps"), key.Name)
		}
		o.Data = configMapData(u)
		return nil
	case *corev1.Secret:
		u, ok := c.lookup("Secret", key.Namespace, key.Name)
		if !ok {
			return apierrors.NewNotFound(corev1.Resource("secrets"), key.Name)
		}
		o.Data = map[string][]byte{}
		for k, v := range secretData(u) {
			o.Data[k] = []byte(v)
		}
		return nil
	}
	return fmt.Errorf("%T is not served offline", obj)
}

func configMapData(u manifest.Object) map[string]string {
	out := map[string]string{}
	data, _ := u.Object["data"].(map[string]any)
	for k, v := range data {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// secretData decodes a Secret's data and stringData. A SOPS-encrypted Secret's values are never
// decrypted: each reads as sopsVarMask.
func secretData(u manifest.Object) map[string]string {
	out := map[string]string{}
	enc := u.Encrypted()
	data, _ := u.Object["data"].(map[string]any)
	for k, v := range data {
		s, _ := v.(string)
		dec, err := base64.StdEncoding.DecodeString(s)
		switch {
		case enc:
			out[k] = sopsVarMask
		case err == nil:
			out[k] = string(dec)
		default:
			out[k] = s
		}
	}
	str, _ := u.Object["stringData"].(map[string]any)
	for k, v := range str {
		if enc {
			out[k] = sopsVarMask
			continue
		}
		out[k] = fmt.Sprint(v)
	}
	return out
}

// substituteRefs checks a Kustomization's postBuild.substituteFrom against the tree. A missing
// required ConfigMap or Secret would stop kustomize-controller; here it is an error finding and
// the reference is treated as optional, so the rest of the Kustomization is still built and
// checked. A SOPS-encrypted Secret is noted: its variables are substituted masked.
func (b *Builder) substituteRefs(ks manifest.Object) map[string]any {
	obj, _ := b.postBuildRefs(ks, true)
	return obj
}

// postBuildRefs is substituteRefs, reporting only when report is set; all says whether every
// reference was found.
func (b *Builder) postBuildRefs(ks manifest.Object, report bool) (obj map[string]any, all bool) {
	obj = copyMap(ks.Object)
	all = true
	for _, ref := range maps(sliceAt(obj, "spec", "postBuild", "substituteFrom")) {
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		optional, _ := ref["optional"].(bool)
		u, found := b.st.get("", kind, ks.Namespace(), name)
		all = all && found
		switch {
		case !found && !optional:
			if report {
				b.report(finding.Error, ks.Origin, ks.ID(), "substitute-from",
					"postBuild.substituteFrom %s/%s not found in namespace %s", kind, name, ks.Namespace())
			}
			ref["optional"] = true
		case found && u.Encrypted() && report:
			b.report(finding.Info, ks.Origin, ks.ID(), "substitute-from",
				"postBuild.substituteFrom %s/%s is SOPS-encrypted: its variables are substituted as %s", kind, name, sopsVarMask)
		}
	}
	return obj, all
}

// substitution says which resources fluxcd/pkg/kustomize's SubstituteVariables would return
// unchanged, so build can skip its YAML and JSON round trip for them (Flux itself runs it on
// every resource of a Kustomization with a postBuild). With variables to substitute (or
// substituteStrategy Always) it runs envsubst over the resource's YAML and reads the resource
// back from JSON; on text without a '$' envsubst is the identity, and the round trip keeps every
// value but integers beyond float64's 53 bits (encoding/json reads numbers as float64) and keys
// or multi-line strings with control characters (yaml.v3 writes "\t\n" in a form it cannot read
// back): convertResource notes both as lossy. Without variables it returns the resource as it
// is. Either way it first loads the variables and checks their names, which can fail whatever
// the resource: a probe through SubstituteVariables itself, on an object without a '$', tells
// whether it does. FuzzConvertResource checks all this against SubstituteVariables.
type substitution struct{ ok bool }

func newSubstitution(ctx context.Context, c client.Client, ks unstructured.Unstructured, always bool) *substitution {
	probe, err := probeFactory.FromMap(map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "probe"},
	})
	if err != nil {
		return &substitution{}
	}
	_, err = fluxk.SubstituteVariables(ctx, c, ks, probe, fluxk.SubstituteWithAlways(always))
	return &substitution{ok: err == nil}
}

var probeFactory = provider.NewDefaultDepProvider().GetResourceFactory()

// substitution is newSubstitution, remembered per postBuild when the Kustomization has no
// substituteFrom: the probe then depends on nothing else, and a tree's Kustomizations often
// share one postBuild.
func (b *Builder) substitution(ctx context.Context, c client.Client, ks unstructured.Unstructured, always bool) *substitution {
	postBuild := mapAt(ks.Object, "spec", "postBuild")
	if _, ok := postBuild["substituteFrom"]; ok {
		return newSubstitution(ctx, c, ks, always)
	}
	key, err := json.Marshal(postBuild)
	if err != nil {
		return newSubstitution(ctx, c, ks, always)
	}
	if ok, found := b.probes.Load(string(key)); found {
		return &substitution{ok: ok.(bool)}
	}
	s := newSubstitution(ctx, c, ks, always)
	b.probes.Store(string(key), s.ok)
	return s
}

// unchanged reports whether SubstituteVariables would give back c's resource as it is.
func (s *substitution) unchanged(c converted) bool { return s.ok && !c.dollar && !c.lossy }

// refsReady reports whether the ConfigMaps and Secrets a unit reads are already built, so the
// queue can build the units that produce them first. Optional references wait too: in the
// cluster they are read once they exist.
func (b *Builder) refsReady(ns string, refs []map[string]any) bool {
	for _, ref := range refs {
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		if _, ok := b.st.get("", kind, ns, name); !ok {
			return false
		}
	}
	return true
}
