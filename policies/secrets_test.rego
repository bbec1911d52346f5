package platform.policies.secrets_test

import data.platform.lib.fixtures as fx
import data.platform.policies.secrets

found(obj) := f if {
	f := fx.found(secrets.deny) with input as obj
}

test_compliant if {
	found(fx.secret) == set()
}

test_plaintext_secret if {
	obj := json.patch(fx.secret, [
		{"op": "remove", "path": "/sops"},
		{"op": "replace", "path": "/data/password", "value": "aHVudGVyMg=="},
	])
	found(obj) == {["secrets/sops", "/sops"], ["secrets/plaintext-value", "/data/password"]}
}

test_sops_without_mac if {
	found(fx.remove(fx.secret, "/sops/mac")) == {["secrets/sops", "/sops/mac"]}
	found(fx.patch(fx.secret, "/sops/mac", "")) == {["secrets/sops", "/sops/mac"]}
}

# One value left in plaintext (sops --encrypted-regex missed it) is still a leak.
test_one_plaintext_value if {
	obj := fx.patch(fx.secret, "/stringData", {"username": "admin", "token": "ENC[AES256_GCM,data:eA==,type:str]"})
	found(obj) == {["secrets/plaintext-value", "/stringData/username"]}
}

test_enc_must_be_a_prefix if {
	found(fx.patch(fx.secret, "/data/password", "not ENC[x]")) == {["secrets/plaintext-value", "/data/password"]}
	found(fx.patch(fx.secret, "/data/password", 42)) == {["secrets/plaintext-value", "/data/password"]}
}

# Nothing to encrypt, nothing to leak: e.g. a service-account token Secret filled in by the cluster.
test_empty_secret_passes if {
	found(object.remove(fx.secret, ["data", "sops"])) == set()
	found(fx.patch(object.remove(fx.secret, ["sops"]), "/data", {})) == set()
}

test_other_kinds_not_checked if {
	found({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"password": "hunter2"}}) == set()
}

# What platctl build outputs: ENC[...] values masked, the sops block kept.
test_masked_by_build_is_encrypted if {
	found(fx.patch(fx.patch(fx.secret, "/data/password", "KipTT1BTKio="), "/data/username", "KipTT1BTKio=")) == set()
}

# The mask does not pass for a Secret without sops metadata.
test_mask_without_sops_is_plaintext if {
	obj := fx.patch(object.remove(fx.secret, ["sops"]), "/data/password", "KipTT1BTKio=")
	["secrets/plaintext-value", "/data/password"] in found(obj)
}
