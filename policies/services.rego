# Services: LoadBalancers only where the environment has a load balancer to give (the home lab
# has none, so one would sit pending forever), and every selector must select something.
package platform.policies.services

import data.platform.lib.kubernetes as k8s

# input.kind first: OPA's rule index resolves it without evaluating the body for other kinds.
deny contains v if {
	input.kind == "Service"
	input.apiVersion == "v1"
	input.spec.type == "LoadBalancer"
	not data.platform.env.allowLoadBalancer == true
	v := {
		"rule": "services/load-balancer",
		"msg": sprintf("Service %q is type LoadBalancer, which %s does not allow; use the Istio ingress gateway", [
			k8s.name,
			k8s.env_name,
		]),
		"field": "/spec/type",
	}
}

# A selector that matches no workload's pod template is a Service with no endpoints: usually a
# renamed label. Services without a selector (ExternalName, manual Endpoints) are not checked.
deny_cluster contains v if {
	some svc in k8s.of_type["v1/Service"]
	selector := svc.object.spec.selector
	is_object(selector)
	count(selector) > 0
	not selects_a_workload(selector, svc.namespace)
	v := {
		"rule": "services/selector-no-match",
		"msg": sprintf("Service %q selector %v matches no workload's pod labels in namespace %q", [svc.name, selector, svc.namespace]),
		"field": "/spec/selector",
		"object": k8s.id(svc),
	}
}

selects_a_workload(selector, ns) if {
	some w in k8s.candidates(ns, selector)
	k8s.selector_matches(selector, w.labels)
}
