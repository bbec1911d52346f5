package platform.policies.networkpolicy_test

import data.platform.lib.fixtures as fx
import data.platform.policies.networkpolicy

found(objs) := f if {
	f := fx.found_cluster(networkpolicy.deny_cluster) with input as {"objects": objs}
}

namespace(name) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}

test_compliant if {
	found([namespace("web"), fx.deployment, fx.network_policy]) == set()
}

test_missing_points_at_namespace if {
	found([namespace("web"), fx.deployment, fx.service]) == {["networkpolicy/missing", "v1/Namespace/web", ""]}
}

# Without a Namespace object the finding points at the first workload, so it still has a source.
test_missing_without_namespace_object if {
	other := fx.patch(fx.deployment, "/metadata/name", "api")
	found([fx.deployment, other]) == {["networkpolicy/missing", "apps/v1/Deployment/web/api", ""]}
}

test_policy_in_other_namespace_does_not_count if {
	elsewhere := fx.patch(fx.network_policy, "/metadata/namespace", "data")
	found([fx.deployment, elsewhere]) == {["networkpolicy/missing", "apps/v1/Deployment/web/site", ""]}
}

test_each_namespace_reported if {
	found([fx.deployment, fx.cronjob]) == {
		["networkpolicy/missing", "apps/v1/Deployment/web/site", ""],
		["networkpolicy/missing", "batch/v1/CronJob/data/ingest", ""],
	}
}

test_namespace_without_workloads_not_checked if {
	found([namespace("empty"), fx.service]) == set()
	found([]) == set()
}

test_message if {
	some v in networkpolicy.deny_cluster with input as {"objects": [fx.deployment]}
	v.msg == `namespace "web" runs workloads but has no NetworkPolicy`
}
