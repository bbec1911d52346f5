package build

import (
	"context"
	"encoding/base64"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
	b *Builder
}

// Get fills a ConfigMap or Secret from the built tree, the way the apiserver would serve it
// (a Secret's stringData merged into data).
func (c treeClient) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		u, ok := c.b.st.get("", "ConfigMap", key.Namespace, key.Name)
		if !ok {
			return apierrors.NewNotFound(corev1.Resource("configmaps"), key.Name)
		}
		o.Data = configMapData(u)
		return nil
	case *corev1.Secret:
		u, ok := c.b.st.get("", "Secret", key.Namespace, key.Name)
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
	obj := copyMap(ks.Object)
	for _, ref := range maps(sliceAt(obj, "spec", "postBuild", "substituteFrom")) {
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		optional, _ := ref["optional"].(bool)
		u, found := b.st.get("", kind, ks.Namespace(), name)
		switch {
		case !found && !optional:
			b.report(finding.Error, ks.Origin, ks.ID(), "substitute-from",
				"postBuild.substituteFrom %s/%s not found in namespace %s", kind, name, ks.Namespace())
			ref["optional"] = true
		case found && u.Encrypted():
			b.report(finding.Info, ks.Origin, ks.ID(), "substitute-from",
				"postBuild.substituteFrom %s/%s is SOPS-encrypted: its variables are substituted as %s", kind, name, sopsVarMask)
		}
	}
	return obj
}

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
