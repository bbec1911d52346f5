# Helpers every rule family shares: where a workload keeps its pod spec, how containers are
# addressed as JSON pointers, what identifies an object, and label-selector matching. Kept in one
# place so every family agrees on what a "workload" and a "match" are.
#
# Evaluation cost matters here: a few thousand objects each run every family, and in OPA each
# expression and, more so, each function call costs microseconds. So facts about the input are
# plain rules (computed once per query), lookups are refs into input rather than helpers taking
# the object, and cross-object facts are computed once and indexed.
package platform.lib.kubernetes

# pod_spec_paths gives, by apiVersion and kind, the path of a workload's pod spec. Keyed by
# apiVersion so a CRD that happens to be called Job is not mistaken for one; these are the
# versions Kubernetes serves today (retired ones such as batch/v1beta1 fail the validate stage).
pod_spec_paths := {
	"v1": {"Pod": ["spec"]},
	"apps/v1": {
		"Deployment": ["spec", "template", "spec"],
		"StatefulSet": ["spec", "template", "spec"],
		"DaemonSet": ["spec", "template", "spec"],
		"ReplicaSet": ["spec", "template", "spec"],
	},
	"batch/v1": {
		"Job": ["spec", "template", "spec"],
		"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
	},
}

# labels_at reads the labels of the pod template whose spec is at path (a Pod's own labels).
labels_at(obj, path) := labels if {
	meta := array.concat(array.slice(path, 0, count(path) - 1), ["metadata", "labels"])
	labels := object.get(obj, meta, {})
	is_object(labels)
} else := {}

# template_labels are the labels of the pods a workload creates; {} for other objects.
template_labels(obj) := labels_at(obj, path) if {
	path := pod_spec_paths[obj.apiVersion][obj.kind]
} else := {}

# escape makes a key (a label name, a Secret key) one JSON pointer segment: RFC 6901 writes "~" as
# "~0" and "/" as "~1". Fields are built as strings from a prefix and fixed suffixes, so only keys
# taken from the object need escaping.
escape(key) := replace(replace(key, "~", "~0"), "/", "~1")

# as_object turns a missing or null field (YAML "securityContext:" with nothing after it) into {}.
as_object(x) := x if {
	is_object(x)
} else := {}

# env_name names the environment in messages. Reading data.platform.env field by field (not
# object.get(data, ...)) keeps rules from depending on all of data, which OPA rejects as recursion.
env_name := n if {
	n := data.platform.env.name
	is_string(n)
} else := "this environment"

# --- The object under evaluation (input), for deny rules ---

kind := k if {
	k := input.kind
	is_string(k)
} else := ""

name := n if {
	n := input.metadata.name
	is_string(n)
} else := ""

# pod_path is where the input keeps its pod spec; undefined when it is not a workload.
pod_path := pod_spec_paths[input.apiVersion][input.kind]

pod_spec := spec if {
	spec := object.get(input, pod_path, {})
	is_object(spec)
}

pod_sc := as_object(object.get(pod_spec, "securityContext", {}))

# pod_ptr and pod_sc_ptr are JSON pointers to the pod spec and its securityContext.
pod_ptr := concat("/", array.concat([""], pod_path))

pod_sc_ptr := concat("", [pod_ptr, "/securityContext"])

container_fields := {
	"containers": "container",
	"initContainers": "initContainer",
	"ephemeralContainers": "ephemeralContainer",
}

# containers are every container of the input's pod template, each with the JSON pointer to it
# (ptr), the list it is in, a label for messages (container "app") and its securityContext ({}
# when absent).
containers contains c if {
	some field, singular in container_fields
	some i, ctr in pod_spec[field]
	is_object(ctr)
	c := {
		"field": field,
		"ptr": concat("/", [pod_ptr, field, format_int(i, 10)]),
		"label": sprintf("%s %q", [singular, object.get(ctr, "name", sprintf("#%d", [i]))]),
		"container": ctr,
		"sc": as_object(object.get(ctr, "securityContext", {})),
	}
}

# --- Selectors ---

# selector_matches is a Service selector (plain map) against pod labels.
selector_matches(sel, labels) if {
	is_object(sel)
	is_object(labels)
	object.subset(labels, sel)
}

# label_selector_matches is a metav1.LabelSelector against pod labels: an empty selector matches
# every pod, a missing (null) one matches none, as policy/v1 PodDisruptionBudget defines it.
label_selector_matches(sel, labels) if {
	is_object(sel)
	is_object(labels)
	object.subset(labels, object.get(sel, "matchLabels", {}))
	every e in object.get(sel, "matchExpressions", []) {
		expression_matches(e, labels)
	}
}

expression_matches(e, labels) if {
	e.operator == "In"
	labels[e.key] in e.values
}

# NotIn also matches pods without the key. The lookup sits in its own rule because OPA would
# otherwise evaluate labels[e.key] outside the negation, and a missing key would fail the match.
expression_matches(e, labels) if {
	e.operator == "NotIn"
	not value_in(labels, e.key, e.values)
}

expression_matches(e, labels) if {
	e.operator == "Exists"
	e.key in object.keys(labels)
}

expression_matches(e, labels) if {
	e.operator == "DoesNotExist"
	not e.key in object.keys(labels)
}

value_in(labels, key, values) if labels[key] in values

# --- Every object of the environment (input.objects), for deny_cluster rules ---

# objects are input.objects with what identifies them read once: apiVersion, kind, their
# "apiVersion/Kind" (type), namespace and name. An object whose identifying fields are not
# strings is left out; the validate stage reports it.
objects := [o |
	some obj in input.objects
	av := object.get(obj, "apiVersion", "")
	k := object.get(obj, "kind", "")
	o := {
		"object": obj,
		"api_version": av,
		"kind": k,
		"type": concat("/", [av, k]),
		"namespace": object.get(obj, ["metadata", "namespace"], ""),
		"name": object.get(obj, ["metadata", "name"], ""),
	}
	is_string(o.namespace)
	is_string(o.name)
]

# id is apiVersion/Kind/namespace/name (namespace left out when empty) of one of objects: the
# string manifest.Object.ID() gives in Go, so the engine can map a finding back to its source.
# Computed only for the objects a finding names.
id(o) := concat("/", array.concat(array.concat([o.api_version, o.kind], [o.namespace | o.namespace != ""]), [o.name]))

# of_type indexes objects by "apiVersion/Kind" ("v1/Service", "apps/v1/Deployment"), so a rule
# about Services never looks at the rest.
#
# The groupings below assign an inner comprehension that compares to a variable of the outer one
# (group := [o | ...; o.type == t]): OPA evaluates that form once and indexes it by the variable
# ("comprehension indexing"), where any other shape rescans every object for every group.
of_type := {t: group |
	some t in {o.type | some o in objects}
	group := [o | some o in objects; o.type == t]
}

# workloads are the objects with a pod template, with the labels of the pods they create.
workloads := [w |
	some av, kinds in pod_spec_paths
	some kind, path in kinds
	some o in of_type[concat("/", [av, kind])]
	w := {"summary": o, "namespace": o.namespace, "labels": labels_at(o.object, path)}
]

workload_namespaces := {w.namespace | some w in workloads}

workloads_by_namespace := {ns: group |
	some ns in workload_namespaces
	group := [w | some w in workloads; w.namespace == ns]
}

# workloads_by_label indexes workloads by [namespace, label key, label value] of their pods, so a
# selector finds its candidates by one of its labels instead of trying every workload around.
workload_labels := [{"key": [w.namespace, k, v], "workload": w} |
	some w in workloads
	some k, v in w.labels
]

workloads_by_label := {key: group |
	some key in {l.key | some l in workload_labels}
	group := [l.workload | some l in workload_labels; l.key == key]
}

# candidates are the workloads of namespace ns that a selector requiring labels (a Service
# selector, a LabelSelector's matchLabels) could match: those carrying its first label, or every
# workload of the namespace when it requires none. The caller still checks the whole selector.
candidates(ns, labels) := workloads_by_label[[ns, k, labels[k]]] if {
	count(labels) > 0
	k := min(object.keys(labels))
} else := [] if {
	count(labels) > 0
} else := object.get(workloads_by_namespace, ns, [])
