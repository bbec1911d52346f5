package build

import (
	"fmt"

	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// postRender applies a HelmRelease's spec.postRenderers, as helm-controller does after Helm
// renders: each kustomize post-renderer's patches, patchesStrategicMerge, patchesJson6902 and
// images run over the rendered objects in order, built in memory by the same kustomize Flux
// uses.
func (b *Builder) postRender(hr manifest.Object, objs []manifest.Object) ([]manifest.Object, error) {
	for i, pr := range maps(sliceAt(hr.Object, "spec", "postRenderers")) {
		k, ok := pr["kustomize"].(map[string]any)
		if !ok {
			continue
		}
		out, warnings, err := kustomizeObjects(objs, k)
		b.reportWarnings(warnings, hr.Origin, hr.ID())
		if err != nil {
			return nil, fmt.Errorf("postRenderers[%d]: %w", i, err)
		}
		objs = out
	}
	return objs, nil
}

// kustomizeObjects runs one kustomize post-renderer over objects in an in-memory filesystem, and
// returns what kustomize warned about too.
func kustomizeObjects(objs []manifest.Object, spec map[string]any) (_ []manifest.Object, warnings []string, err error) {
	var kus kustypes.Kustomization
	raw, err := yaml.Marshal(spec)
	if err != nil {
		return nil, nil, err
	}
	if err := yaml.Unmarshal(raw, &kus); err != nil {
		return nil, nil, err
	}
	kus.APIVersion, kus.Kind = kustypes.KustomizationVersion, kustypes.KustomizationKind
	kus.Resources = []string{"resources.yaml"}
	templates := map[string]string{}
	var docs []byte
	for _, o := range objs {
		templates[o.Key()] = o.Origin.Template
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, nil, err
		}
		docs = append(append(docs, "---\n"...), y...)
	}
	kfile, err := yaml.Marshal(kus)
	if err != nil {
		return nil, nil, err
	}
	fs := filesys.MakeFsInMemory()
	if err := fs.WriteFile("/render/resources.yaml", docs); err != nil {
		return nil, nil, err
	}
	if err := fs.WriteFile("/render/kustomization.yaml", kfile); err != nil {
		return nil, nil, err
	}
	m, warnings, err := kustomizeBuild(fs, "/render", kustypes.LoadRestrictionsNone)
	if err != nil {
		return nil, warnings, err
	}
	out := make([]manifest.Object, 0, m.Size())
	for _, res := range m.Resources() {
		var o manifest.Object
		if c, ok := convertResource(res); ok {
			o = manifest.Object{Object: c.obj}
		} else {
			y, err := res.AsYAML()
			if err != nil {
				return nil, warnings, err
			}
			got, err := manifest.Decode("", y)
			if err != nil || len(got) != 1 {
				return nil, warnings, fmt.Errorf("%s: %v", res.CurId(), err) //nolint:errorlint // err may be nil (one document too many), which %w would print as %!w(<nil>)
			}
			o = got[0]
		}
		o.Origin = manifest.Origin{Template: templates[o.Key()]}
		out = append(out, o)
	}
	return out, warnings, nil
}
