package cost

import (
	"fmt"
	"slices"

	"cuelang.org/go/cue"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/zavestudios/platform/tools/internal/load"
)

// envModel is environments.<env> of the CUE model, as far as cost needs it.
type envModel struct {
	Nodes struct {
		Provisioning  string   `json:"provisioning"`
		InstanceTypes []string `json:"instanceTypes"`
		VMs           map[string]struct {
			CPU    int    `json:"cpu"`
			Memory string `json:"memory"`
		} `json:"vms"`
		SystemNodes struct {
			Count        int    `json:"count"`
			InstanceType string `json:"instanceType"`
			CapacityType string `json:"capacityType"`
		} `json:"systemNodes"`
		CapacityType []string `json:"capacityType"`
		Allocatable  map[string]struct {
			CPU    string `json:"cpu"`
			Memory string `json:"memory"`
		} `json:"allocatable"`
	} `json:"nodes"`
	Budget struct {
		MonthlyUSD      float64 `json:"monthlyUSD"`
		WeekendUSD      float64 `json:"weekendUSD"`
		WeekendHours    int     `json:"weekendHours"`
		HeadroomPercent int     `json:"headroomPercent"`
	} `json:"budget"`
	Pricing struct {
		Instances      map[string]map[string]float64 `json:"instances"`
		Fixed          map[string]float64            `json:"fixed"`
		StorageGBMonth float64                       `json:"storageGBMonth"`
	} `json:"pricing"`
}

// FromModel reads the cost model of one environment: its nodes, prices and budget, and the
// footprints declared by the components it runs.
func FromModel(m *load.Model, env string) (Model, error) {
	var e envModel
	if err := m.Decode(fmt.Sprintf("environments.%q", env), &e); err != nil {
		return Model{}, err
	}
	out := Model{
		Env:            env,
		FixedHourly:    e.Pricing.Fixed,
		StorageGBMonth: e.Pricing.StorageGBMonth,
		Budget: Budget{MonthlyUSD: e.Budget.MonthlyUSD, WeekendUSD: e.Budget.WeekendUSD,
			WeekendHours: e.Budget.WeekendHours, HeadroomPercent: e.Budget.HeadroomPercent},
	}
	if pos := m.Labels("environments", env, "budget", "monthlyUSD").Pos(); pos.IsValid() {
		out.Budget.File, out.Budget.Line = load.Rel(m.Root, pos.Filename()), pos.Line()
	}
	switch e.Nodes.Provisioning {
	case "fixed":
		names := make([]string, 0, len(e.Nodes.VMs))
		for n := range e.Nodes.VMs {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			vm := e.Nodes.VMs[n]
			mem, err := resource.ParseQuantity(vm.Memory)
			if err != nil {
				return Model{}, fmt.Errorf("environments.%s.nodes.vms.%s.memory: %w", env, n, err)
			}
			out.Fixed = append(out.Fixed, Node{Name: n, CPU: int64(vm.CPU) * 1000, Memory: mem.Value()})
		}
	case "karpenter":
		it := e.Nodes.InstanceTypes[0]
		a, ok := e.Nodes.Allocatable[it]
		if !ok {
			return Model{}, fmt.Errorf("environments.%s.nodes.allocatable: no entry for %s", env, it)
		}
		cpu, err1 := resource.ParseQuantity(a.CPU)
		mem, err2 := resource.ParseQuantity(a.Memory)
		if err1 != nil || err2 != nil {
			return Model{}, fmt.Errorf("environments.%s.nodes.allocatable.%s: bad quantity", env, it)
		}
		out.InstanceType = it
		out.Allocatable = Node{Name: it, CPU: cpu.MilliValue(), Memory: mem.Value()}
		out.NodePrice = e.Pricing.Instances[it][e.Nodes.CapacityType[0]]
		out.SystemNodes = e.Nodes.SystemNodes.Count
		out.SystemPrice = e.Pricing.Instances[e.Nodes.SystemNodes.InstanceType][e.Nodes.SystemNodes.CapacityType]
		out.NodeRootGB = nodeRootGB(m, env)
		out.LBHourly = e.Pricing.Fixed["Network Load Balancer"]
	default:
		return Model{}, fmt.Errorf("environments.%s.nodes.provisioning: %q is not priced", env, e.Nodes.Provisioning)
	}
	fps, err := footprints(m, env)
	if err != nil {
		return Model{}, err
	}
	out.Footprints = fps
	return out, nil
}

// nodeRootGB reads the root volume size of Karpenter's nodes from the rendered EC2NodeClass.
func nodeRootGB(m *load.Model, env string) float64 {
	v := m.Labels("clusters", env, "components", "karpenter", "objects", "ec2nodeclass", "spec", "blockDeviceMappings")
	var bdm []struct {
		EBS struct {
			VolumeSize string `json:"volumeSize"`
		} `json:"ebs"`
	}
	if v.Decode(&bdm) != nil || len(bdm) == 0 {
		return 0
	}
	q, err := resource.ParseQuantity(bdm[0].EBS.VolumeSize)
	if err != nil {
		return 0
	}
	return float64(q.Value()) / 1e9
}

func footprints(m *load.Model, env string) ([]Footprint, error) {
	comps := m.Labels("clusters", env, "components")
	it, err := comps.Fields()
	if err != nil {
		return nil, fmt.Errorf("clusters.%s.components: %w", env, err)
	}
	var out []Footprint
	for it.Next() {
		comp := it.Selector().Unquoted()
		fit, err := it.Value().LookupPath(cue.ParsePath("footprint")).Fields()
		if err != nil {
			continue
		}
		for fit.Next() {
			var f struct {
				CPU     string `json:"cpu"`
				Memory  string `json:"memory"`
				Storage string `json:"storage"`
				PerNode bool   `json:"perNode"`
			}
			if err := fit.Value().Decode(&f); err != nil {
				return nil, &load.Error{Root: m.Root, Err: err}
			}
			cpu, e1 := resource.ParseQuantity(f.CPU)
			mem, e2 := resource.ParseQuantity(f.Memory)
			st, e3 := resource.ParseQuantity(f.Storage)
			if e1 != nil || e2 != nil || e3 != nil {
				return nil, fmt.Errorf("components.%s.footprint.%s: bad quantity", comp, fit.Selector().Unquoted())
			}
			out = append(out, Footprint{Component: comp, Package: fit.Selector().Unquoted(), CPU: cpu.MilliValue(),
				Memory: mem.Value(), StorageGB: float64(st.Value()) / 1e9, PerNode: f.PerNode})
		}
	}
	return out, nil
}
