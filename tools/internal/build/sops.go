package build

import (
	"encoding/base64"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// sopsMask replaces encrypted values in output, as `flux build` masks them.
const sopsMask = "**SOPS**"

// maskSOPS masks a SOPS-encrypted object's encrypted values without decrypting them: an
// ENC[...] value under a Secret's data becomes the mask base64-encoded (so the Secret stays
// valid), any other ENC[...] value, in any kind, the mask itself. A value left in plaintext is
// left as it is, so the secrets policy still sees the leak. The top-level sops block stays, its
// key material masked, so later stages see the object is encrypted (manifest.Object.Encrypted).
func maskSOPS(o *manifest.Object) {
	if !o.Encrypted() {
		return
	}
	if o.Kind() == "Secret" && o.Group() == "" {
		if data, ok := o.Object["data"].(map[string]any); ok {
			for k, v := range data {
				if s, _ := v.(string); isEncrypted(s) {
					data[k] = base64.StdEncoding.EncodeToString([]byte(sopsMask))
				}
			}
		}
	}
	o.Object = maskValues(o.Object, "").(map[string]any)
}

// maskValues replaces every ENC[...] string and the encrypted data keys under sops (`enc`).
func maskValues(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = maskValues(e, k)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = maskValues(e, key)
		}
		return v
	case string:
		if key == "enc" || isEncrypted(v) {
			return sopsMask
		}
	}
	return v
}

func isEncrypted(s string) bool { return strings.HasPrefix(s, "ENC[") && strings.HasSuffix(s, "]") }

// checkDecryption reports what kustomize-controller refuses to apply: a SOPS-encrypted Secret
// in a Kustomization without spec.decryption (unless the Secret opts out with
// kustomize.toolkit.fluxcd.io/decrypt: disabled).
func (b *Builder) checkDecryption(ks map[string]any, ksID string, objs []manifest.Object) {
	if mapAt(ks, "spec", "decryption") != nil {
		return
	}
	for _, o := range objs {
		if o.Kind() != "Secret" || o.Group() != "" || !o.Encrypted() {
			continue
		}
		if strAt(o.Object, "metadata", "annotations", "kustomize.toolkit.fluxcd.io/decrypt") == "disabled" {
			continue
		}
		b.report(finding.Error, o.Origin, o.ID(), "sops-decryption",
			"SOPS-encrypted Secret in %s, which has no spec.decryption: Flux will not apply it", ksID)
	}
}
