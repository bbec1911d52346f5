# A Deployment or StatefulSet that runs more than one replica has a PodDisruptionBudget, so a node
# drain (k3s upgrades, EKS node rotation) cannot take every replica down at once.
package platform.policies.pdb

import data.platform.lib.kubernetes as k8s

# hpa_min is the largest minReplicas of the HPAs targeting each namespace/Kind/name; taking the
# largest keeps two HPAs on one workload from giving the rule two values.
hpa_targets := [{"key": key, "min": m} |
	some version in ["autoscaling/v1", "autoscaling/v2"]
	some h in k8s.of_type[concat("/", [version, "HorizontalPodAutoscaler"])]
	ref := h.object.spec.scaleTargetRef
	key := concat("/", [h.namespace, ref.kind, ref.name])
	m := object.get(h.object.spec, "minReplicas", 1)
	is_number(m)
]

hpa_min := {key: max(mins) |
	some key in {t.key | some t in hpa_targets}
	mins := [t.min | some t in hpa_targets; t.key == key]
}

# covered are the [namespace, kind, name] of the workloads some PodDisruptionBudget selects, found
# from the budgets' side so each budget looks only at the workloads carrying its labels.
covered contains [w.namespace, w.summary.kind, w.summary.name] if {
	some pdb in k8s.of_type["policy/v1/PodDisruptionBudget"]
	selector := object.get(pdb.object, ["spec", "selector"], null)
	is_object(selector)
	some w in k8s.candidates(pdb.namespace, k8s.as_object(object.get(selector, "matchLabels", {})))
	k8s.label_selector_matches(selector, w.labels)
}

# replicated says why a workload runs more than one replica; undefined when it does not.
replicated(w) := {"why": sprintf("spec.replicas is %v", [r]), "field": "/spec/replicas"} if {
	r := w.object.spec.replicas
	is_number(r)
	r > 1
} else := {"why": sprintf("its HorizontalPodAutoscaler has minReplicas %v", [m]), "field": ""} if {
	m := hpa_min[concat("/", [w.namespace, w.kind, w.name])]
	m > 1
}

deny_cluster contains v if {
	some t in ["apps/v1/Deployment", "apps/v1/StatefulSet"]
	some w in k8s.of_type[t]
	r := replicated(w)
	not [w.namespace, w.kind, w.name] in covered
	v := {
		"rule": "pdb/missing",
		"msg": sprintf("%s %q runs more than one replica (%s) but no PodDisruptionBudget in namespace %q selects its pods", [w.kind, w.name, r.why, w.namespace]),
		"field": r.field,
		"object": k8s.id(w),
	}
}
