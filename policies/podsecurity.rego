# Pod Security Standards "restricted" on every pod template. Checked here rather than only by the
# admission controller so a violation fails review with the file and field to change, before
# Flux or Argo CD ever try to apply it.
package platform.policies.podsecurity

import data.platform.lib.kubernetes as k8s

# deny is gated on the object being a workload: every other kind costs one lookup here instead of a
# failed first expression in each rule below.
deny contains v if {
	k8s.pod_path
	some v in violations
}

host_namespaces := {"hostNetwork": "host-network", "hostPID": "host-pid", "hostIPC": "host-ipc"}

# Volume types "restricted" allows; hostPath has its own rule, so it is not reported twice.
allowed_volume_types := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
	"persistentVolumeClaim", "projected", "secret",
}

allowed_seccomp := {"RuntimeDefault", "Localhost"}

allowed_capabilities := {"NET_BIND_SERVICE"}

violations contains v if {
	some c in k8s.containers
	c.sc.privileged == true
	v := {
		"rule": "podsecurity/privileged",
		"msg": sprintf("%s must not be privileged", [c.label]),
		"field": concat("", [c.ptr, "/securityContext/privileged"]),
	}
}

violations contains v if {
	some field, rule in host_namespaces
	k8s.pod_spec[field] == true
	v := {
		"rule": concat("/", ["podsecurity", rule]),
		"msg": sprintf("pod must not set %s: true", [field]),
		"field": concat("/", [k8s.pod_ptr, field]),
	}
}

violations contains v if {
	some c in k8s.containers
	some i, port in c.container.ports
	hp := port.hostPort
	not hp in {0, null}
	v := {
		"rule": "podsecurity/host-port",
		"msg": sprintf("%s must not use hostPort %v", [c.label, hp]),
		"field": sprintf("%s/ports/%d/hostPort", [c.ptr, i]),
	}
}

violations contains v if {
	some i, vol in k8s.pod_spec.volumes
	vol.hostPath
	v := {
		"rule": "podsecurity/host-path",
		"msg": sprintf("volume %q must not be a hostPath", [object.get(vol, "name", "")]),
		"field": sprintf("%s/volumes/%d/hostPath", [k8s.pod_ptr, i]),
	}
}

violations contains v if {
	some i, vol in k8s.pod_spec.volumes
	is_object(vol)
	some t in object.keys(vol)
	not t in allowed_volume_types
	not t in {"name", "hostPath"}
	v := {
		"rule": "podsecurity/volume-type",
		"msg": sprintf("volume %q uses type %s, which restricted pods may not", [object.get(vol, "name", ""), t]),
		"field": sprintf("%s/volumes/%d/%s", [k8s.pod_ptr, i, k8s.escape(t)]),
	}
}

# A container runs as non-root if it says so itself, or says nothing and the pod says so.
runs_as_non_root(c) if c.sc.runAsNonRoot == true

runs_as_non_root(c) if {
	not "runAsNonRoot" in object.keys(c.sc)
	k8s.pod_sc.runAsNonRoot == true
}

violations contains v if {
	some c in k8s.containers
	not runs_as_non_root(c)
	v := {
		"rule": "podsecurity/run-as-non-root",
		"msg": sprintf("%s must set securityContext.runAsNonRoot: true (or leave it unset and set it on the pod)", [c.label]),
		"field": concat("", [c.ptr, "/securityContext/runAsNonRoot"]),
	}
}

violations contains v if {
	k8s.pod_sc.runAsUser == 0
	v := {
		"rule": "podsecurity/run-as-user",
		"msg": "pod must not set securityContext.runAsUser: 0",
		"field": concat("", [k8s.pod_sc_ptr, "/runAsUser"]),
	}
}

violations contains v if {
	some c in k8s.containers
	c.sc.runAsUser == 0
	v := {
		"rule": "podsecurity/run-as-user",
		"msg": sprintf("%s must not set securityContext.runAsUser: 0", [c.label]),
		"field": concat("", [c.ptr, "/securityContext/runAsUser"]),
	}
}

violations contains v if {
	some c in k8s.containers
	not c.sc.allowPrivilegeEscalation == false
	v := {
		"rule": "podsecurity/allow-privilege-escalation",
		"msg": sprintf("%s must set securityContext.allowPrivilegeEscalation: false", [c.label]),
		"field": concat("", [c.ptr, "/securityContext/allowPrivilegeEscalation"]),
	}
}

violations contains v if {
	some c in k8s.containers
	not "ALL" in object.get(c.sc, ["capabilities", "drop"], [])
	v := {
		"rule": "podsecurity/capabilities-drop-all",
		"msg": sprintf("%s must drop ALL capabilities (securityContext.capabilities.drop: [ALL])", [c.label]),
		"field": concat("", [c.ptr, "/securityContext/capabilities/drop"]),
	}
}

violations contains v if {
	some c in k8s.containers
	some i, capability in c.sc.capabilities.add
	not capability in allowed_capabilities
	v := {
		"rule": "podsecurity/capabilities-add",
		"msg": sprintf("%s must not add capability %v (only NET_BIND_SERVICE)", [c.label, capability]),
		"field": sprintf("%s/securityContext/capabilities/add/%d", [c.ptr, i]),
	}
}

violations contains v if {
	t := k8s.pod_sc.seccompProfile.type
	not t in allowed_seccomp
	v := {
		"rule": "podsecurity/seccomp-profile",
		"msg": sprintf("pod seccompProfile.type must be RuntimeDefault or Localhost, not %v", [t]),
		"field": concat("", [k8s.pod_sc_ptr, "/seccompProfile/type"]),
	}
}

violations contains v if {
	some c in k8s.containers
	t := c.sc.seccompProfile.type
	not t in allowed_seccomp
	v := {
		"rule": "podsecurity/seccomp-profile",
		"msg": sprintf("%s seccompProfile.type must be RuntimeDefault or Localhost, not %v", [c.label, t]),
		"field": concat("", [c.ptr, "/securityContext/seccompProfile/type"]),
	}
}

# Unset on both the container and the pod; an unset container under a pod with a bad profile is
# already reported at the pod.
violations contains v if {
	some c in k8s.containers
	not c.sc.seccompProfile.type
	not k8s.pod_sc.seccompProfile.type
	v := {
		"rule": "podsecurity/seccomp-profile",
		"msg": sprintf("%s must set seccompProfile.type RuntimeDefault or Localhost (on the container or the pod)", [c.label]),
		"field": concat("", [c.ptr, "/securityContext/seccompProfile/type"]),
	}
}
