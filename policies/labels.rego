# Workloads and Services carry the standard app.kubernetes.io labels that dashboards, cost
# reports and the Argo CD UI group by.
package platform.policies.labels

import data.platform.lib.kubernetes as k8s

required := ["app.kubernetes.io/name", "app.kubernetes.io/part-of"]

labelled if k8s.pod_path

labelled if {
	input.kind == "Service"
	input.apiVersion == "v1"
}

deny contains v if {
	labelled
	some label in required
	not has_label(label)
	v := {
		"rule": "labels/required",
		"msg": sprintf("%s %q must carry label %s", [k8s.kind, k8s.name, label]),
		"field": concat("/", ["/metadata/labels", k8s.escape(label)]),
	}
}

has_label(label) if {
	value := input.metadata.labels[label]
	is_string(value)
	value != ""
}
