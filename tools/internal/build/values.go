package build

import (
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// releaseValues merges a HelmRelease's values as helm-controller does: each spec.valuesFrom
// reference in order (a ConfigMap's or Secret's valuesKey, default values.yaml, merged at the
// root, or set at targetPath with Helm's --set parser), then spec.values over them; later
// entries win. Problems are findings: a missing required reference (which would stop
// helm-controller) is an error and is left out; a SOPS-encrypted Secret is never decrypted, so
// its values are left out with a note.
func (b *Builder) releaseValues(hr manifest.Object) map[string]any {
	result := map[string]any{}
	for _, ref := range maps(sliceAt(hr.Object, "spec", "valuesFrom")) {
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		key, _ := ref["valuesKey"].(string)
		target, _ := ref["targetPath"].(string)
		optional, _ := ref["optional"].(bool)
		key = or(key, "values.yaml")
		desc := fmt.Sprintf("valuesFrom %s/%s key %s", kind, name, key)
		obj, found := b.st.get("", kind, hr.Namespace(), name)
		if !found {
			if !optional {
				b.report(finding.Error, hr.Origin, hr.ID(), "values-from", "%s: not found in namespace %s", desc, hr.Namespace())
			}
			continue
		}
		if kind == "Secret" && obj.Encrypted() {
			b.report(finding.Info, hr.Origin, hr.ID(), "values-from", "%s: SOPS-encrypted, not decrypted; left out", desc)
			continue
		}
		data, ok := valuesData(obj, key)
		if !ok {
			if !optional {
				b.report(finding.Error, hr.Origin, hr.ID(), "values-from", "%s: no such key", desc)
			}
			continue
		}
		if target != "" {
			if err := replacePathValue(result, target, data); err != nil {
				b.report(finding.Error, hr.Origin, hr.ID(), "values-from", "%s: targetPath %s: %v", desc, target, err)
			}
			continue
		}
		vals, err := chartutil.ReadValues([]byte(data))
		if err != nil {
			b.report(finding.Error, hr.Origin, hr.ID(), "values-from", "%s: %v", desc, err)
			continue
		}
		result = mergeMaps(result, vals)
	}
	return mergeMaps(result, copyMap(mapAt(hr.Object, "spec", "values")))
}

// valuesData reads one key of a ConfigMap (data) or Secret (data, base64; or stringData).
func valuesData(o manifest.Object, key string) (string, bool) {
	if o.Kind() == "Secret" {
		v, ok := secretData(o)[key]
		return v, ok
	}
	v, ok := configMapData(o)[key]
	return v, ok
}

// replacePathValue sets a value at a dot-notation path with Helm's strvals parser, as
// helm-controller does for valuesFrom targetPath: a quoted value is always a string, an unquoted
// one is typed as --set types it.
func replacePathValue(values map[string]any, path, value string) error {
	const quotes = `'"`
	if len(value) >= 2 && strings.ContainsRune(quotes, rune(value[0])) && value[len(value)-1] == value[0] {
		return strvals.ParseIntoString(path+"="+strings.Trim(value, quotes), values)
	}
	return strvals.ParseInto(path+"="+value, values)
}
