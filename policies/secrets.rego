# Secrets in git are SOPS-encrypted: Flux decrypts them at apply time, so a plaintext value here
# is a leaked credential. A Secret with no data holds nothing to leak and passes.
package platform.policies.secrets

import data.platform.lib.kubernetes as k8s

# deny is gated on input.kind, which OPA's rule index resolves without evaluating anything, so
# other kinds skip the family; the apiVersion is checked after.
deny contains v if {
	input.kind == "Secret"
	input.apiVersion == "v1"
	some v in violations
}

values contains [field, key, value] if {
	some field in ["data", "stringData"]
	some key, value in input[field]
}

has_mac if {
	mac := input.sops.mac
	is_string(mac)
	mac != ""
}

violations contains v if {
	count(values) > 0
	not input.sops
	v := {
		"rule": "secrets/sops",
		"msg": sprintf("Secret %q is not SOPS-encrypted (no top-level sops key)", [k8s.name]),
		"field": "/sops",
	}
}

violations contains v if {
	count(values) > 0
	input.sops
	not has_mac
	v := {
		"rule": "secrets/sops",
		"msg": sprintf("Secret %q has sops metadata without a mac", [k8s.name]),
		"field": "/sops/mac",
	}
}

violations contains v if {
	some [field, key, value] in values
	not encrypted(value)
	v := {
		"rule": "secrets/plaintext-value",
		"msg": sprintf("Secret %q %s.%s is not encrypted (want ENC[...])", [k8s.name, field, key]),
		"field": concat("/", ["", field, k8s.escape(key)]),
	}
}

# startswith is ^ENC\[ without a regular expression.
encrypted(value) if {
	is_string(value)
	startswith(value, "ENC[")
}

# platctl build masks each ENC[...] value as **SOPS** (base64-encoded under data) and keeps the
# sops block, so a masked value counts as encrypted only in an object that carries sops metadata.
encrypted(value) if {
	input.sops
	value in {"**SOPS**", "KipTT1BTKio="}
}
