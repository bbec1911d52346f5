# Every container and initContainer declares cpu and memory requests and limits: the scheduler
# needs requests to place pods on the small home-lab nodes, and limits keep one app from starving
# the rest. One rule id per resource so an exception can waive, say, only cpu limits.
package platform.policies.resources

import data.platform.lib.kubernetes as k8s

# Ephemeral containers cannot declare resources, so they are not checked.
checked_fields := {"containers", "initContainers"}

kinds := {"requests": "request", "limits": "limit"}

deny contains v if {
	some c in k8s.containers
	c.field in checked_fields
	some kind, singular in kinds
	some resource in ["cpu", "memory"]
	object.get(c.container, ["resources", kind, resource], null) in {null, ""}
	v := {
		"rule": concat("", ["resources/", resource, "-", singular]),
		"msg": sprintf("%s must set resources.%s.%s", [c.label, kind, resource]),
		"field": concat("/", [c.ptr, "resources", kind, resource]),
	}
}
