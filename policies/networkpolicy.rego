# Every namespace that runs workloads has at least one NetworkPolicy, so no namespace is left
# open by default when a new app lands.
package platform.policies.networkpolicy

import data.platform.lib.kubernetes as k8s

policy_namespaces := {p.namespace | some p in k8s.of_type["networking.k8s.io/v1/NetworkPolicy"]}

namespace_ids := {n.name: k8s.id(n) | some n in k8s.of_type["v1/Namespace"]}

# The finding points at the Namespace object when the environment declares one, else at the
# first workload in the namespace, so it always has a source file to name.
anchor(ns) := id if {
	id := namespace_ids[ns]
} else := min({k8s.id(w.summary) | some w in k8s.workloads_by_namespace[ns]})

deny_cluster contains v if {
	some ns in k8s.workload_namespaces
	not ns in policy_namespaces
	v := {
		"rule": "networkpolicy/missing",
		"msg": sprintf("namespace %q runs workloads but has no NetworkPolicy", [ns]),
		"field": "",
		"object": anchor(ns),
	}
}
