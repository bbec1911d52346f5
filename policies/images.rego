# Images are pinned and come from the environment's own registry: a moving tag makes a rollout
# unreproducible, and pulling from anywhere else bypasses the mirror and its scanning.
package platform.policies.images

import data.platform.lib.kubernetes as k8s

# A digest pins the image whatever its tag says.
pinned(image) if contains(image, "@sha256:")

# tag is what follows ":" in the last path component, so a registry port (host:5000/x) is not
# mistaken for a tag.
tag(image) := t if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	t := substring(last, indexof(last, ":") + 1, -1)
	t != ""
}

images contains [c, image] if {
	some c in k8s.containers
	image := c.container.image
	is_string(image)
}

deny contains v if {
	some [c, image] in images
	not pinned(image)
	tag(image) == "latest"
	v := {
		"rule": "images/latest-tag",
		"msg": sprintf("%s image %q uses the latest tag; pin a version or digest", [c.label, image]),
		"field": concat("", [c.ptr, "/image"]),
	}
}

deny contains v if {
	some [c, image] in images
	not pinned(image)
	not tag(image)
	v := {
		"rule": "images/untagged",
		"msg": sprintf("%s image %q has no tag; pin a version or digest", [c.label, image]),
		"field": concat("", [c.ptr, "/image"]),
	}
}

# Registry prefixes with the "/" that must follow the host, so registry.example.dev does not also
# admit registry.example.dev.attacker.io. No list (or not a list) admits nothing: fail closed.
registry_prefixes := [concat("", [trim_suffix(r, "/"), "/"]) |
	some r in data.platform.env.registries
	is_string(r)
	r != ""
]

allowed := concat(", ", [trim_suffix(p, "/") | some p in registry_prefixes]) if {
	count(registry_prefixes) > 0
} else := "none are configured"

deny contains v if {
	some [c, image] in images
	not strings.any_prefix_match(image, registry_prefixes)
	v := {
		"rule": "images/registry",
		"msg": sprintf("%s image %q is not from an allowed registry for %s (%s)", [c.label, image, k8s.env_name, allowed]),
		"field": concat("", [c.ptr, "/image"]),
	}
}
