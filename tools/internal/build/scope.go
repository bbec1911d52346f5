package build

import "github.com/zavestudios/platform/tools/internal/manifest"

// namespacedKinds are the built-in namespaced kinds, by group/kind. Helm and Argo CD place a
// namespaced object without a namespace in the release or destination namespace; they ask the
// cluster which kinds are namespaced, build asks this list and the CRDs in the tree.
var namespacedKinds = map[string]bool{}

func init() {
	for _, k := range []string{
		"/ConfigMap", "/Secret", "/Service", "/ServiceAccount", "/Pod", "/PersistentVolumeClaim",
		"/Endpoints", "/LimitRange", "/ResourceQuota", "/ReplicationController", "/PodTemplate", "/Event",
		"apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "apps/ControllerRevision",
		"batch/Job", "batch/CronJob", "autoscaling/HorizontalPodAutoscaler", "policy/PodDisruptionBudget",
		"networking.k8s.io/Ingress", "networking.k8s.io/NetworkPolicy",
		"rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/RoleBinding",
		"coordination.k8s.io/Lease", "discovery.k8s.io/EndpointSlice", "events.k8s.io/Event",
		"storage.k8s.io/CSIStorageCapacity",
	} {
		namespacedKinds[k] = true
	}
}

// defaultNamespace puts a namespaced object without a namespace into ns, as Helm and Argo CD do
// when they apply it. Kinds whose scope is unknown (no CRD in the tree) are left as they are.
func (b *Builder) defaultNamespace(o *manifest.Object, ns string) {
	if ns == "" || o.Namespace() != "" || !b.namespaced(o.Group(), o.Kind()) {
		return
	}
	meta, ok := o.Object["metadata"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		o.Object["metadata"] = meta
	}
	meta["namespace"] = ns
}

func (b *Builder) namespaced(group, kind string) bool {
	if namespacedKinds[group+"/"+kind] {
		return true
	}
	return b.crdScopes[group+"/"+kind] == "Namespaced"
}

// noteCRD records what a CustomResourceDefinition in the tree tells Helm and Argo CD about its
// kind: its scope, and the API versions the cluster will serve (.Capabilities.APIVersions).
func (b *Builder) noteCRD(o manifest.Object) {
	if o.Kind() != "CustomResourceDefinition" || o.Group() != "apiextensions.k8s.io" {
		return
	}
	group := strAt(o.Object, "spec", "group")
	kind := strAt(o.Object, "spec", "names", "kind")
	b.crdScopes[group+"/"+kind] = strAt(o.Object, "spec", "scope")
	for _, v := range maps(sliceAt(o.Object, "spec", "versions")) {
		name, _ := v["name"].(string)
		if served, ok := v["served"].(bool); ok && !served {
			continue
		}
		b.served = append(b.served, group+"/"+name, group+"/"+name+"/"+kind)
	}
}
