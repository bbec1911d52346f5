package platform.policies.images_test

import data.platform.lib.fixtures as fx
import data.platform.policies.images

image := "/spec/template/spec/containers/0/image"

found(obj, env) := f if {
	f := fx.found(images.deny) with input as obj with data.platform.env as env
}

with_image(ref) := fx.patch(fx.deployment, image, ref)

test_compliant if {
	found(fx.deployment, fx.homelab) == set()
	found(with_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/site:1.4.2"), fx.aws) == set()
}

test_latest_tag if {
	found(with_image("registry.homelab.zavestudios.dev/zavestudios/site:latest"), fx.homelab) == {["images/latest-tag", image]}
}

test_untagged if {
	found(with_image("registry.homelab.zavestudios.dev/zavestudios/site"), fx.homelab) == {["images/untagged", image]}
	found(with_image("registry.homelab.zavestudios.dev/zavestudios/site:"), fx.homelab) == {["images/untagged", image]}
}

# A registry port is not a tag.
test_registry_port_is_not_a_tag if {
	env := {"registries": ["registry.local:5000"]}
	found(with_image("registry.local:5000/site"), env) == {["images/untagged", image]}
	found(with_image("registry.local:5000/site:2.0"), env) == set()
}

test_digest_pins if {
	digest := "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	found(with_image(concat("@", ["registry.homelab.zavestudios.dev/zavestudios/site", digest])), fx.homelab) == set()
	found(with_image(concat("@", ["registry.homelab.zavestudios.dev/zavestudios/site:latest", digest])), fx.homelab) == set()
}

test_registry if {
	found(with_image("docker.io/library/nginx:1.27"), fx.homelab) == {["images/registry", image]}
	found(with_image("nginx:1.27"), fx.homelab) == {["images/registry", image]}

	# The homelab registry is not allowed on aws, and the other way round.
	found(fx.deployment, fx.aws) == {["images/registry", image]}
	found(with_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/site:1.4.2"), fx.homelab) == {["images/registry", image]}
}

# Prefix match on the host followed by "/": a look-alike host does not pass.
test_registry_lookalike_host if {
	found(with_image("registry.homelab.zavestudios.dev.evil.io/site:1.0"), fx.homelab) == {["images/registry", image]}
	found(with_image("registry.homelab.zavestudios.devx/site:1.0"), fx.homelab) == {["images/registry", image]}
}

test_registry_trailing_slash_in_env if {
	found(fx.deployment, {"registries": ["registry.homelab.zavestudios.dev/"]}) == set()
}

# Without an allow-list nothing is allowed: fail closed rather than open.
test_no_registries_fails_closed if {
	found(fx.deployment, {}) == {["images/registry", image]}
	found(fx.deployment, {"registries": "registry.homelab.zavestudios.dev"}) == {["images/registry", image]}
}

test_init_container_image if {
	init := object.union(fx.container, {"name": "migrate", "image": "busybox"})
	obj := fx.patch(fx.cronjob, "/spec/jobTemplate/spec/template/spec/initContainers", [init])
	found(obj, fx.homelab) == {
		["images/untagged", "/spec/jobTemplate/spec/template/spec/initContainers/0/image"],
		["images/registry", "/spec/jobTemplate/spec/template/spec/initContainers/0/image"],
	}
}

test_message_names_env_and_image if {
	some v in images.deny with input as with_image("nginx:1.27") with data.platform.env as fx.homelab
	v.msg == `container "app" image "nginx:1.27" is not from an allowed registry for homelab (registry.homelab.zavestudios.dev)`
}

test_non_string_image_ignored if {
	found(with_image(42), fx.homelab) == set()
	found(fx.remove(fx.deployment, image), fx.homelab) == set()
}
