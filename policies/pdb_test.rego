package platform.policies.pdb_test

import data.platform.lib.fixtures as fx
import data.platform.policies.pdb

found(objs) := f if {
	f := fx.found_cluster(pdb.deny_cluster) with input as {"objects": objs}
}

replicated := fx.patch(fx.deployment, "/spec/replicas", 3)

missing := {["pdb/missing", "apps/v1/Deployment/web/site", "/spec/replicas"]}

test_single_replica_needs_none if {
	found([fx.deployment]) == set()
	found([fx.remove(fx.deployment, "/spec/replicas")]) == set()
}

test_replicated_without_pdb if {
	found([replicated]) == missing
}

test_replicated_with_pdb if {
	found([replicated, fx.pdb]) == set()
}

test_pdb_selector_must_match if {
	other := fx.patch(fx.pdb, "/spec/selector/matchLabels", {"app.kubernetes.io/name": "api"})
	found([replicated, other]) == missing
}

test_pdb_other_namespace_does_not_count if {
	found([replicated, fx.patch(fx.pdb, "/metadata/namespace", "data")]) == missing
}

test_pdb_match_expressions if {
	in_pdb := fx.patch(fx.pdb, "/spec/selector", {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["site", "api"]}]})
	found([replicated, in_pdb]) == set()
	not_in := fx.patch(fx.pdb, "/spec/selector", {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["site"]}]})
	found([replicated, not_in]) == missing
}

# policy/v1: an empty selector selects every pod in the namespace; a missing one selects none.
test_pdb_empty_and_missing_selector if {
	found([replicated, fx.patch(fx.pdb, "/spec/selector", {})]) == set()
	found([replicated, fx.remove(fx.pdb, "/spec/selector")]) == missing
}

test_hpa_min_replicas if {
	found([fx.remove(fx.deployment, "/spec/replicas"), fx.hpa]) == {["pdb/missing", "apps/v1/Deployment/web/site", ""]}
	found([fx.remove(fx.deployment, "/spec/replicas"), fx.hpa, fx.pdb]) == set()
}

test_hpa_autoscaling_v1 if {
	v1 := json.patch(fx.hpa, [{"op": "replace", "path": "/apiVersion", "value": "autoscaling/v1"}])
	found([fx.remove(fx.deployment, "/spec/replicas"), v1]) == {["pdb/missing", "apps/v1/Deployment/web/site", ""]}
}

test_hpa_min_one_or_default if {
	found([fx.deployment, fx.patch(fx.hpa, "/spec/minReplicas", 1)]) == set()
	found([fx.deployment, fx.remove(fx.hpa, "/spec/minReplicas")]) == set()
}

test_hpa_must_target_the_workload if {
	found([fx.deployment, fx.patch(fx.hpa, "/spec/scaleTargetRef/name", "api")]) == set()
	found([fx.deployment, fx.patch(fx.hpa, "/metadata/namespace", "data")]) == set()
	found([fx.deployment, fx.patch(fx.hpa, "/spec/scaleTargetRef/kind", "StatefulSet")]) == set()
}

# Two HPAs on one Deployment must not make the rule conflict.
test_two_hpas if {
	second := fx.patch(fx.patch(fx.hpa, "/metadata/name", "site-2"), "/spec/minReplicas", 4)
	found([fx.deployment, fx.hpa, second]) == {["pdb/missing", "apps/v1/Deployment/web/site", ""]}
}

test_statefulset if {
	sts := json.patch(replicated, [{"op": "replace", "path": "/kind", "value": "StatefulSet"}])
	found([sts]) == {["pdb/missing", "apps/v1/StatefulSet/web/site", "/spec/replicas"]}
}

test_daemonset_not_checked if {
	ds := json.patch(replicated, [{"op": "replace", "path": "/kind", "value": "DaemonSet"}])
	found([ds]) == set()
}

test_message if {
	some v in pdb.deny_cluster with input as {"objects": [replicated]}
	v.msg == `Deployment "site" runs more than one replica (spec.replicas is 3) but no PodDisruptionBudget in namespace "web" selects its pods`
}
