# Compliant objects the unit tests start from: each test patches one field with json.patch, so
# every test reads as "this one change breaks (or keeps) the rule".
package platform.lib.fixtures

homelab := {"name": "homelab", "registries": ["registry.homelab.zavestudios.dev"], "allowLoadBalancer": false}

aws := {"name": "aws", "registries": ["123456789012.dkr.ecr.us-east-1.amazonaws.com"], "allowLoadBalancer": true}

labels := {"app.kubernetes.io/name": "site", "app.kubernetes.io/part-of": "portfolio"}

container := {
	"name": "app",
	"image": "registry.homelab.zavestudios.dev/zavestudios/site:1.4.2",
	"securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
	"resources": {
		"requests": {"cpu": "100m", "memory": "128Mi"},
		"limits": {"cpu": "500m", "memory": "256Mi"},
	},
}

pod_spec := {
	"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
	"containers": [container],
}

deployment := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "site", "namespace": "web", "labels": labels},
	"spec": {
		"replicas": 1,
		"selector": {"matchLabels": {"app.kubernetes.io/name": "site"}},
		"template": {"metadata": {"labels": labels}, "spec": pod_spec},
	},
}

pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "debug", "namespace": "web", "labels": labels},
	"spec": pod_spec,
}

cronjob := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "ingest", "namespace": "data", "labels": labels},
	"spec": {
		"schedule": "0 * * * *",
		"jobTemplate": {"spec": {"template": {"metadata": {"labels": labels}, "spec": pod_spec}}},
	},
}

service := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "site", "namespace": "web", "labels": labels},
	"spec": {"selector": {"app.kubernetes.io/name": "site"}, "ports": [{"port": 80}]},
}

secret := {
	"apiVersion": "v1",
	"kind": "Secret",
	"metadata": {"name": "db", "namespace": "web"},
	"data": {"password": "ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]"},
	"sops": {"mac": "ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]", "version": "3.9.0"},
}

network_policy := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "default-deny", "namespace": "web"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}

pdb := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": "site", "namespace": "web"},
	"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "site"}}},
}

hpa := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": "site", "namespace": "web"},
	"spec": {
		"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "site"},
		"minReplicas": 2,
		"maxReplicas": 5,
	},
}

# found is the [rule, field] pairs of a set of violations, what most tests assert on.
found(violations) := {[v.rule, v.field] | some v in violations}

# found_cluster adds the offending object.
found_cluster(violations) := {[v.rule, v.object, v.field] | some v in violations}

patch(obj, path, value) := json.patch(obj, [{"op": "add", "path": path, "value": value}])

remove(obj, path) := json.patch(obj, [{"op": "remove", "path": path}])
