package cost

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// workloads turns objects into per-pod demand: Deployments and StatefulSets at their replicas (or
// the minimum of the HPA that scales them), DaemonSets per node, CronJobs and Jobs one run at a
// time, and volume claims; it also counts LoadBalancer Services.
func workloads(objs []manifest.Object) ([]Workload, int, error) {
	hpaMin := map[string]int{}
	for _, o := range objs {
		if o.Kind() == "HorizontalPodAutoscaler" {
			target, _ := dig(o.Object, "spec", "scaleTargetRef").(map[string]any)
			name, _ := target["name"].(string)
			kind, _ := target["kind"].(string)
			if n, ok := num(dig(o.Object, "spec", "minReplicas")); ok {
				hpaMin[kind+"/"+o.Namespace()+"/"+name] = n
			}
		}
	}
	var ws []Workload
	lbs := 0
	for _, o := range objs {
		var tmpl any
		pods, perNode := 1, false
		switch o.Kind() {
		case "Deployment", "StatefulSet", "ReplicaSet":
			tmpl = dig(o.Object, "spec", "template")
			if n, ok := num(dig(o.Object, "spec", "replicas")); ok {
				pods = n
			}
			if n, ok := hpaMin[o.Kind()+"/"+o.Namespace()+"/"+o.Name()]; ok {
				pods = n
			}
		case "DaemonSet":
			tmpl, perNode = dig(o.Object, "spec", "template"), true
		case "Job":
			tmpl = dig(o.Object, "spec", "template")
		case "CronJob":
			tmpl = dig(o.Object, "spec", "jobTemplate", "spec", "template")
		case "Pod":
			tmpl = o.Object
		case "PersistentVolumeClaim":
			q, err := quantity(dig(o.Object, "spec", "resources", "requests", "storage"))
			if err != nil {
				return nil, 0, fmt.Errorf("%s:%d: %s: storage request: %w", o.Origin.File, o.Origin.Line, o.ID(), err)
			}
			ws = append(ws, Workload{Object: o.ID(), StorageGB: float64(q.Value()) / 1e9})
			continue
		case "Service":
			if t, _ := dig(o.Object, "spec", "type").(string); t == "LoadBalancer" {
				lbs++
			}
			continue
		default:
			continue
		}
		cpu, mem, err := podRequests(tmpl)
		if err != nil {
			return nil, 0, fmt.Errorf("%s:%d: %s: %w", o.Origin.File, o.Origin.Line, o.ID(), err)
		}
		ws = append(ws, Workload{Object: o.ID(), Pods: pods, PerNode: perNode, CPU: cpu, Memory: mem})
	}
	return ws, lbs, nil
}

// podRequests is what the scheduler reserves for a pod: the sum of its containers' requests, or
// the largest init container's when that is larger.
func podRequests(tmpl any) (cpu, mem int64, err error) {
	spec := dig(tmpl, "spec")
	sum := func(list any) (c, m int64, err error) {
		l, _ := list.([]any)
		for _, ct := range l {
			qc, err := quantity(dig(ct, "resources", "requests", "cpu"))
			if err != nil {
				return 0, 0, fmt.Errorf("cpu request: %w", err)
			}
			qm, err := quantity(dig(ct, "resources", "requests", "memory"))
			if err != nil {
				return 0, 0, fmt.Errorf("memory request: %w", err)
			}
			c += qc.MilliValue()
			m += qm.Value()
		}
		return c, m, nil
	}
	cpu, mem, err = sum(dig(spec, "containers"))
	if err != nil {
		return 0, 0, err
	}
	inits, _ := dig(spec, "initContainers").([]any)
	for _, ic := range inits {
		c, m, err := sum([]any{ic})
		if err != nil {
			return 0, 0, err
		}
		cpu, mem = max(cpu, c), max(mem, m)
	}
	return cpu, mem, nil
}

func quantity(v any) (resource.Quantity, error) {
	switch x := v.(type) {
	case nil:
		return resource.Quantity{}, nil
	case string:
		return resource.ParseQuantity(x)
	case int, int64, float64:
		return resource.ParseQuantity(fmt.Sprint(x))
	}
	return resource.Quantity{}, fmt.Errorf("not a quantity: %v", v)
}

func num(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
