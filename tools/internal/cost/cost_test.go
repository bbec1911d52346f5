package cost

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

const gi = int64(1) << 30

func deployment(name string, replicas int, cpu, mem string) manifest.Object {
	return manifest.Object{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": "ns"},
		"spec": map[string]any{"replicas": replicas, "template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "c", "resources": map[string]any{"requests": map[string]any{"cpu": cpu, "memory": mem}}}},
		}}},
	}}
}

func withKind(o manifest.Object, kind string) manifest.Object {
	o.Object["kind"] = kind
	return o
}

func TestWorkloads(t *testing.T) {
	hpa := manifest.Object{Object: map[string]any{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
		"metadata": map[string]any{"name": "web", "namespace": "ns"},
		"spec":     map[string]any{"minReplicas": 3, "scaleTargetRef": map[string]any{"kind": "Deployment", "name": "web"}}}}
	init := deployment("init", 1, "100m", "100Mi")
	spec := init.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	spec["initContainers"] = []any{map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": "2", "memory": "50Mi"}}}}
	pvc := manifest.Object{Object: map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
		"metadata": map[string]any{"name": "data", "namespace": "ns"},
		"spec":     map[string]any{"resources": map[string]any{"requests": map[string]any{"storage": "10G"}}}}}
	lb := manifest.Object{Object: map[string]any{"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": "lb", "namespace": "ns"}, "spec": map[string]any{"type": "LoadBalancer"}}}
	ws, lbs, err := workloads([]manifest.Object{
		deployment("web", 1, "250m", "256Mi"), hpa, init,
		withKind(deployment("agent", 1, "50m", "64Mi"), "DaemonSet"), pvc, lb,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Workload{
		{Object: "apps/v1/Deployment/ns/web", Pods: 3, CPU: 250, Memory: 256 << 20},
		{Object: "apps/v1/Deployment/ns/init", Pods: 1, CPU: 2000, Memory: 100 << 20},
		{Object: "apps/v1/DaemonSet/ns/agent", Pods: 1, PerNode: true, CPU: 50, Memory: 64 << 20},
		{Object: "v1/PersistentVolumeClaim/ns/data", StorageGB: 10},
	}
	if diff := cmp.Diff(want, ws); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}
	if lbs != 1 {
		t.Errorf("load balancers = %d, want 1", lbs)
	}
}

func TestRun(t *testing.T) {
	vms := []Node{{Name: "a", CPU: 4000, Memory: 8 * gi}, {Name: "b", CPU: 4000, Memory: 8 * gi}}
	home := Model{Env: "home", Fixed: vms, Budget: Budget{HeadroomPercent: 20, File: "env.cue", Line: 9}}
	spot := Model{Env: "aws", InstanceType: "t3a.medium", Allocatable: Node{CPU: 1930, Memory: 3300 << 20},
		NodePrice: 0.0113, SystemNodes: 2, SystemPrice: 0.0113, FixedHourly: map[string]float64{"EKS control plane": 0.10},
		StorageGBMonth: 0.08, NodeRootGB: 30,
		Budget: Budget{MonthlyUSD: 200, WeekendUSD: 20, WeekendHours: 48, HeadroomPercent: 20}}
	tests := []struct {
		name      string
		model     Model
		objs      []manifest.Object
		wantNodes int
		wantFits  bool
		wantRules []string
	}{
		{"fits with headroom", home, []manifest.Object{deployment("web", 4, "1", "2Gi")}, 2, true, nil},
		{"over the headroom does not fit", home, []manifest.Object{deployment("web", 7, "1", "2Gi")}, 2, false, []string{"cost/does-not-fit"}},
		{"a pod bigger than any VM does not fit", home, []manifest.Object{deployment("big", 1, "1", "10Gi")}, 2, false, []string{"cost/does-not-fit"}},
		{"karpenter adds nodes beyond the system nodes", spot, []manifest.Object{deployment("web", 6, "500m", "1Gi")}, 3, true, nil},
		{"over the monthly budget", func() Model { m := spot; m.Budget.MonthlyUSD = 50; return m }(),
			[]manifest.Object{deployment("web", 1, "100m", "100Mi")}, 2, true, []string{"cost/over-budget"}},
		{"homelab must cost nothing", func() Model { m := home; m.FixedHourly = map[string]float64{"power": 0.01}; return m }(),
			nil, 2, true, []string{"cost/over-budget"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, fs, err := Run(tt.model, tt.objs)
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, f := range fs {
				rules = append(rules, f.Rule)
			}
			if e.Nodes != tt.wantNodes || e.Fits != tt.wantFits {
				t.Errorf("nodes=%d fits=%v, want nodes=%d fits=%v", e.Nodes, e.Fits, tt.wantNodes, tt.wantFits)
			}
			if diff := cmp.Diff(tt.wantRules, rules); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrices(t *testing.T) {
	m := Model{Env: "aws", InstanceType: "t3a.medium", Allocatable: Node{CPU: 1930, Memory: 3300 << 20},
		NodePrice: 0.01, SystemNodes: 1, SystemPrice: 0.02, FixedHourly: map[string]float64{"control plane": 0.1},
		StorageGBMonth: 0.073, NodeRootGB: 10, Budget: Budget{MonthlyUSD: 1000, WeekendUSD: 100, WeekendHours: 48}}
	e, _, err := Run(m, []manifest.Object{deployment("web", 2, "1500m", "1Gi")})
	if err != nil {
		t.Fatal(err)
	}
	// 2 nodes (1 system + 1 Karpenter), 20 GB of root volumes
	wantHourly := 0.02 + 0.01 + 0.1 + 20*0.073/HoursPerMonth
	if e.Nodes != 2 || diffFloat(e.Hourly, wantHourly) || diffFloat(e.Monthly, wantHourly*HoursPerMonth) || diffFloat(e.Weekend, wantHourly*48) {
		t.Errorf("nodes=%d hourly=%f monthly=%f weekend=%f, want 2, %f", e.Nodes, e.Hourly, e.Monthly, e.Weekend, wantHourly)
	}
}

func diffFloat(a, b float64) bool { return a-b > 1e-9 || b-a > 1e-9 }
