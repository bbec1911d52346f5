package platform.policies.podsecurity_test

import data.platform.lib.fixtures as fx
import data.platform.policies.podsecurity

ctr := "/spec/template/spec/containers/0"

# found evaluates the family against obj and returns its [rule, field] pairs.
found(obj) := f if {
	f := fx.found(podsecurity.deny) with input as obj
}

test_compliant_workloads if {
	every obj in [
		fx.deployment,
		fx.pod,
		fx.cronjob,
		json.patch(fx.deployment, [{"op": "replace", "path": "/kind", "value": "StatefulSet"}]),
		json.patch(fx.deployment, [{"op": "replace", "path": "/kind", "value": "DaemonSet"}]),
		fx.patch(fx.pod, "/spec/volumes", [{"name": "cache", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "x"}}]),
	] {
		found(obj) == set()
	}
}

test_privileged if {
	found(fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/privileged", true)) == {
		["podsecurity/privileged", "/spec/template/spec/containers/0/securityContext/privileged"],
	}
}

test_privileged_false_is_fine if {
	found(fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/privileged", false)) == set()
}

test_privileged_init_container if {
	init := object.union(fx.container, {"name": "migrate", "securityContext": {"privileged": true}})
	obj := fx.patch(fx.deployment, "/spec/template/spec/initContainers", [init])
	["podsecurity/privileged", "/spec/template/spec/initContainers/0/securityContext/privileged"] in found(obj)
}

test_privileged_cronjob_path if {
	obj := fx.patch(fx.cronjob, "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged", true)
	found(obj) == {["podsecurity/privileged", "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged"]}
}

test_privileged_pod_path if {
	found(fx.patch(fx.pod, "/spec/containers/0/securityContext/privileged", true)) == {
		["podsecurity/privileged", "/spec/containers/0/securityContext/privileged"],
	}
}

test_host_namespaces if {
	every field, rule in {"hostNetwork": "host-network", "hostPID": "host-pid", "hostIPC": "host-ipc"} {
		found(fx.patch(fx.deployment, sprintf("/spec/template/spec/%s", [field]), true)) == {
			[sprintf("podsecurity/%s", [rule]), sprintf("/spec/template/spec/%s", [field])],
		}
		found(fx.patch(fx.deployment, sprintf("/spec/template/spec/%s", [field]), false)) == set()
	}
}

test_host_port if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/0/ports", [{"containerPort": 8080}, {"containerPort": 53, "hostPort": 53}])
	found(obj) == {["podsecurity/host-port", "/spec/template/spec/containers/0/ports/1/hostPort"]}
}

test_host_path if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/volumes", [{"name": "cache", "emptyDir": {}}, {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}])

	# hostPath is reported once, by its own rule, not again as a disallowed volume type.
	found(obj) == {["podsecurity/host-path", "/spec/template/spec/volumes/1/hostPath"]}
}

test_volume_type if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/volumes", [{"name": "share", "nfs": {"server": "nas", "path": "/x"}}])
	found(obj) == {["podsecurity/volume-type", "/spec/template/spec/volumes/0/nfs"]}
}

test_run_as_non_root_missing if {
	obj := fx.remove(fx.deployment, "/spec/template/spec/securityContext/runAsNonRoot")
	found(obj) == {["podsecurity/run-as-non-root", "/spec/template/spec/containers/0/securityContext/runAsNonRoot"]}
}

test_run_as_non_root_container_level_suffices if {
	obj := fx.patch(
		fx.remove(fx.deployment, "/spec/template/spec/securityContext/runAsNonRoot"),
		"/spec/template/spec/containers/0/securityContext/runAsNonRoot", true,
	)
	found(obj) == set()
}

test_run_as_non_root_container_overrides_pod if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/runAsNonRoot", false)
	found(obj) == {["podsecurity/run-as-non-root", "/spec/template/spec/containers/0/securityContext/runAsNonRoot"]}
}

# "securityContext:" with nothing after it decodes to null; the container inherits from the pod.
test_null_security_context if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext", null)
	found(obj) == {
		["podsecurity/allow-privilege-escalation", "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"],
		["podsecurity/capabilities-drop-all", "/spec/template/spec/containers/0/securityContext/capabilities/drop"],
	}
}

test_run_as_user_root if {
	pod_level := fx.patch(fx.deployment, "/spec/template/spec/securityContext/runAsUser", 0)
	found(pod_level) == {["podsecurity/run-as-user", "/spec/template/spec/securityContext/runAsUser"]}
	container_level := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/runAsUser", 0)
	found(container_level) == {["podsecurity/run-as-user", "/spec/template/spec/containers/0/securityContext/runAsUser"]}
	found(fx.patch(fx.deployment, "/spec/template/spec/securityContext/runAsUser", 1000)) == set()
}

test_allow_privilege_escalation if {
	missing := fx.remove(fx.deployment, "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation")
	found(missing) == {["podsecurity/allow-privilege-escalation", "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"]}
	allowed := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation", true)
	found(allowed) == {["podsecurity/allow-privilege-escalation", "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"]}
}

test_capabilities_drop_all if {
	partial := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/capabilities/drop", ["NET_RAW"])
	found(partial) == {["podsecurity/capabilities-drop-all", "/spec/template/spec/containers/0/securityContext/capabilities/drop"]}
	missing := fx.remove(fx.deployment, "/spec/template/spec/containers/0/securityContext/capabilities")
	found(missing) == {["podsecurity/capabilities-drop-all", "/spec/template/spec/containers/0/securityContext/capabilities/drop"]}
}

test_capabilities_add if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/capabilities/add", ["NET_BIND_SERVICE", "SYS_ADMIN"])
	found(obj) == {["podsecurity/capabilities-add", "/spec/template/spec/containers/0/securityContext/capabilities/add/1"]}
}

test_seccomp_pod_unconfined if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/securityContext/seccompProfile/type", "Unconfined")

	# Reported once, at the pod, not again for each container that inherits it.
	found(obj) == {["podsecurity/seccomp-profile", "/spec/template/spec/securityContext/seccompProfile/type"]}
}

test_seccomp_container_unconfined if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/seccompProfile", {"type": "Unconfined"})
	found(obj) == {["podsecurity/seccomp-profile", "/spec/template/spec/containers/0/securityContext/seccompProfile/type"]}
}

test_seccomp_unset_everywhere if {
	obj := fx.remove(fx.deployment, "/spec/template/spec/securityContext/seccompProfile")
	found(obj) == {["podsecurity/seccomp-profile", "/spec/template/spec/containers/0/securityContext/seccompProfile/type"]}
}

test_seccomp_container_localhost if {
	obj := fx.patch(
		fx.remove(fx.deployment, "/spec/template/spec/securityContext/seccompProfile"),
		"/spec/template/spec/containers/0/securityContext/seccompProfile", {"type": "Localhost", "localhostProfile": "p.json"},
	)
	found(obj) == set()
}

test_messages_name_the_container if {
	obj := fx.patch(fx.deployment, "/spec/template/spec/containers/0/securityContext/privileged", true)
	some v in podsecurity.deny with input as obj
	contains(v.msg, `container "app"`)
}

# Only the workload kinds of the core, apps and batch groups have pod templates.
test_other_objects_ignored if {
	crd := json.patch(fx.deployment, [
		{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"},
		{"op": "add", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": true},
	])
	found(crd) == set()
	found({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"hostNetwork": "true"}}) == set()
}

test_odd_shapes_do_not_error if {
	found(fx.patch(fx.deployment, "/spec/template/spec", "not a pod spec")) == set()
	found(fx.patch(fx.deployment, "/spec/template/spec/containers", "app")) == set()
	found(fx.patch(fx.deployment, "/spec/template/spec/containers", [null, 3])) == set()
	found(fx.patch(fx.deployment, "/spec", null)) == set()
	found({}) == set()
}
