package platform.policies.resources_test

import data.platform.lib.fixtures as fx
import data.platform.policies.resources

found(obj) := f if {
	f := fx.found(resources.deny) with input as obj
}

test_compliant if {
	found(fx.deployment) == set()
	found(fx.cronjob) == set()
}

test_missing_cpu_limit if {
	obj := fx.remove(fx.deployment, "/spec/template/spec/containers/0/resources/limits/cpu")
	found(obj) == {["resources/cpu-limit", "/spec/template/spec/containers/0/resources/limits/cpu"]}
}

test_no_resources_at_all if {
	obj := fx.remove(fx.deployment, "/spec/template/spec/containers/0/resources")
	found(obj) == {
		["resources/cpu-request", "/spec/template/spec/containers/0/resources/requests/cpu"],
		["resources/memory-request", "/spec/template/spec/containers/0/resources/requests/memory"],
		["resources/cpu-limit", "/spec/template/spec/containers/0/resources/limits/cpu"],
		["resources/memory-limit", "/spec/template/spec/containers/0/resources/limits/memory"],
	}
}

test_init_container_checked if {
	init := object.remove(fx.container, ["resources"])
	obj := fx.patch(fx.deployment, "/spec/template/spec/initContainers", [object.union(init, {"resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "16Mi"}}})])
	found(obj) == {["resources/cpu-limit", "/spec/template/spec/initContainers/0/resources/limits/cpu"]}
}

test_second_container_indexed if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/-", object.union(object.remove(fx.container, ["resources"]), {"name": "sidecar", "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "10m"}}}))
	found(obj) == {["resources/memory-limit", "/spec/template/spec/containers/1/resources/limits/memory"]}
	some v in resources.deny with input as obj
	contains(v.msg, `container "sidecar"`)
}

# Ephemeral containers cannot declare resources, so asking for them would be unfixable.
test_ephemeral_container_not_checked if {
	obj := fx.patch(fx.pod, "/spec/ephemeralContainers", [{"name": "debug", "image": "busybox:1.36"}])
	found(obj) == set()
}

test_empty_or_null_values_count_as_missing if {
	empty := fx.patch(fx.deployment, "/spec/template/spec/containers/0/resources/requests/memory", "")
	found(empty) == {["resources/memory-request", "/spec/template/spec/containers/0/resources/requests/memory"]}
	null_limits := fx.patch(fx.deployment, "/spec/template/spec/containers/0/resources/limits", null)
	count(found(null_limits)) == 2
}

test_numeric_quantities_accepted if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/0/resources/limits/cpu", 1)
	found(obj) == set()
}
