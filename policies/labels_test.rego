package platform.policies.labels_test

import data.platform.lib.fixtures as fx
import data.platform.policies.labels

found(obj) := f if {
	f := fx.found(labels.deny) with input as obj
}

test_compliant if {
	every obj in [fx.deployment, fx.pod, fx.cronjob, fx.service] {
		found(obj) == set()
	}
}

# The "/" in a label name is escaped as "~1" in the JSON pointer.
test_missing_part_of if {
	obj := fx.remove(fx.deployment, "/metadata/labels/app.kubernetes.io~1part-of")
	found(obj) == {["labels/required", "/metadata/labels/app.kubernetes.io~1part-of"]}
}

test_service_without_labels if {
	obj := fx.remove(fx.service, "/metadata/labels")
	found(obj) == {
		["labels/required", "/metadata/labels/app.kubernetes.io~1name"],
		["labels/required", "/metadata/labels/app.kubernetes.io~1part-of"],
	}
}

test_empty_value_is_missing if {
	obj := fx.patch(fx.deployment, "/metadata/labels/app.kubernetes.io~1name", "")
	found(obj) == {["labels/required", "/metadata/labels/app.kubernetes.io~1name"]}
}

# Labels on the pod template do not stand in for labels on the workload itself.
test_template_labels_do_not_count if {
	obj := fx.remove(fx.cronjob, "/metadata/labels")
	count(found(obj)) == 2
}

test_message if {
	some v in labels.deny with input as fx.remove(fx.service, "/metadata/labels/app.kubernetes.io~1name")
	v.msg == `Service "site" must carry label app.kubernetes.io/name`
}

test_other_kinds_not_checked if {
	found({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}) == set()
	found({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}}) == set()
}
