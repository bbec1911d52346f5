package platform.policies.services_test

import data.platform.lib.fixtures as fx
import data.platform.policies.services

lb := fx.patch(fx.service, "/spec/type", "LoadBalancer")

found(obj, env) := f if {
	f := fx.found(services.deny) with input as obj with data.platform.env as env
}

found_cluster(objs) := f if {
	f := fx.found_cluster(services.deny_cluster) with input as {"objects": objs}
}

test_load_balancer_homelab if {
	found(lb, fx.homelab) == {["services/load-balancer", "/spec/type"]}
}

test_load_balancer_aws if {
	found(lb, fx.aws) == set()
}

test_load_balancer_without_env_fails_closed if {
	found(lb, {}) == {["services/load-balancer", "/spec/type"]}
}

test_cluster_ip if {
	found(fx.service, fx.homelab) == set()
	found(fx.patch(fx.service, "/spec/type", "NodePort"), fx.homelab) == set()
}

test_selector_matches if {
	found_cluster([fx.service, fx.deployment]) == set()
}

test_selector_matches_nothing if {
	svc := fx.patch(fx.service, "/spec/selector", {"app.kubernetes.io/name": "sight"})
	found_cluster([svc, fx.deployment]) == {["services/selector-no-match", "v1/Service/web/site", "/spec/selector"]}
}

test_selector_needs_every_label if {
	svc := fx.patch(fx.service, "/spec/selector", {"app.kubernetes.io/name": "site", "tier": "web"})
	found_cluster([svc, fx.deployment]) == {["services/selector-no-match", "v1/Service/web/site", "/spec/selector"]}
}

test_selector_other_namespace_does_not_count if {
	elsewhere := fx.patch(fx.deployment, "/metadata/namespace", "other")
	found_cluster([fx.service, elsewhere]) == {["services/selector-no-match", "v1/Service/web/site", "/spec/selector"]}
}

# The selector is matched against the pod template, not the workload's own labels.
test_selector_uses_template_labels if {
	obj := fx.patch(fx.deployment, "/spec/template/metadata/labels", {"app.kubernetes.io/name": "other"})
	found_cluster([fx.service, obj]) == {["services/selector-no-match", "v1/Service/web/site", "/spec/selector"]}
	cron := fx.patch(fx.cronjob, "/metadata/namespace", "web")
	found_cluster([fx.service, cron]) == set()
}

test_no_selector_not_checked if {
	found_cluster([fx.remove(fx.service, "/spec/selector")]) == set()
	found_cluster([fx.patch(fx.service, "/spec/selector", {})]) == set()
	external := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "web"}, "spec": {"type": "ExternalName", "externalName": "db.example.com"}}
	found_cluster([external]) == set()
}

test_message if {
	svc := fx.patch(fx.service, "/spec/selector", {"app": "x"})
	some v in services.deny_cluster with input as {"objects": [svc]}
	v.msg == `Service "site" selector {"app": "x"} matches no workload's pod labels in namespace "web"`
}
