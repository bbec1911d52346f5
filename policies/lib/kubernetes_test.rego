package platform.lib.kubernetes_test

import data.platform.lib.fixtures as fx
import data.platform.lib.kubernetes as k8s

test_escape if {
	k8s.escape("app.kubernetes.io/name") == "app.kubernetes.io~1name"
	k8s.escape("a~1/b") == "a~01~1b"
}

test_pointers if {
	k8s.pod_ptr == "/spec/jobTemplate/spec/template/spec" with input as fx.cronjob
	k8s.pod_sc_ptr == "/spec/securityContext" with input as fx.pod
	[c.ptr | some c in k8s.containers] == ["/spec/template/spec/containers/0"] with input as fx.deployment
}

objects_of(objs) := o if {
	o := k8s.objects with input as {"objects": objs}
}

# ids match manifest.Object.ID() in Go, including for objects missing fields.
test_object_ids if {
	objs := objects_of([
		fx.deployment,
		{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}},
		{},
	])
	[k8s.id(o) | some o in objs] == ["apps/v1/Deployment/web/site", "v1/Namespace/web", "//"]
}

test_object_types if {
	[o.type | some o in objects_of([fx.deployment, fx.pod, fx.hpa])] == ["apps/v1/Deployment", "v1/Pod", "autoscaling/v2/HorizontalPodAutoscaler"]
}

# Left out of cross-object rules rather than failing them.
test_object_with_odd_identity_left_out if {
	objects_of([{"apiVersion": 3, "kind": "X"}, {"apiVersion": "v1", "kind": "X", "metadata": {"name": ["n"]}}]) == []
}

test_input_rules if {
	k8s.kind == "CronJob" with input as fx.cronjob
	k8s.pod_path == ["spec", "jobTemplate", "spec", "template", "spec"] with input as fx.cronjob
	k8s.name == "" with input as {"metadata": "x"}
	not k8s.pod_path with input as fx.service
}

test_template_labels if {
	k8s.template_labels(fx.cronjob) == fx.labels
	k8s.template_labels(fx.pod) == fx.labels
	k8s.template_labels(fx.service) == {}
	k8s.template_labels(fx.patch(fx.deployment, "/spec/template/metadata/labels", "x")) == {}
}

test_label_selector_operators if {
	labels := {"app": "site", "tier": "web"}
	k8s.label_selector_matches({}, labels)
	k8s.label_selector_matches({"matchLabels": {"app": "site"}}, labels)
	not k8s.label_selector_matches({"matchLabels": {"app": "api"}}, labels)
	k8s.label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, labels)
	not k8s.label_selector_matches({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, labels)
	k8s.label_selector_matches({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, labels)
	k8s.label_selector_matches({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, labels)
	not k8s.label_selector_matches({"matchExpressions": [{"key": "app", "operator": "Bogus"}]}, labels)
	not k8s.label_selector_matches(null, labels)
}

test_containers_of_non_workload if {
	count(k8s.containers) == 0 with input as fx.service
}
