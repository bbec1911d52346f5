// Package cost estimates what an environment's workloads need and cost: requests × replicas
// (HPA minimum), DaemonSets per node, volumes, load balancers and the declared footprint of what
// the render cannot show, packed onto the environment's nodes and priced from the model.
package cost

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// HoursPerMonth is the hours AWS bills in an average month.
const HoursPerMonth = 730

// Model is the environment as cost sees it.
type Model struct {
	Env string `json:"env"`
	// Fixed lists the nodes that always exist (home lab VMs); empty with Karpenter.
	Fixed []Node `json:"fixed,omitempty"`
	// Karpenter provisioning, when Fixed is empty.
	InstanceType string  `json:"instanceType,omitempty"`
	Allocatable  Node    `json:"allocatable"`
	NodePrice    float64 `json:"nodePrice,omitempty"`
	SystemNodes  int     `json:"systemNodes,omitempty"`
	SystemPrice  float64 `json:"systemPrice,omitempty"`
	NodeRootGB   float64 `json:"nodeRootGB,omitempty"`
	// FixedHourly are costs that do not depend on the workloads (control plane, NAT, NLB).
	FixedHourly    map[string]float64 `json:"fixedHourly,omitempty"`
	StorageGBMonth float64            `json:"storageGBMonth"`
	LBHourly       float64            `json:"lbHourly,omitempty"`
	Budget         Budget             `json:"budget"`
	Footprints     []Footprint        `json:"footprints,omitempty"`
}

// Node is a node's capacity (or allocatable), in millicores and bytes.
type Node struct {
	Name   string `json:"name,omitempty"`
	CPU    int64  `json:"cpu"`
	Memory int64  `json:"memory"`
}

// Budget is the environment's budget and where it is declared.
type Budget struct {
	MonthlyUSD      float64 `json:"monthlyUSD"`
	WeekendUSD      float64 `json:"weekendUSD,omitempty"`
	WeekendHours    int     `json:"weekendHours,omitempty"`
	HeadroomPercent int     `json:"headroomPercent"`
	File            string  `json:"-"`
	Line            int     `json:"-"`
}

// Footprint is a declared package footprint.
type Footprint struct {
	Component string  `json:"component"`
	Package   string  `json:"package"`
	CPU       int64   `json:"cpu"`
	Memory    int64   `json:"memory"`
	StorageGB float64 `json:"storageGB"`
	PerNode   bool    `json:"perNode"`
}

// Workload is one object's demand: Pods pods of CPU/Memory each, plus its volumes.
type Workload struct {
	Object    string  `json:"object"`
	Pods      int     `json:"pods"`
	PerNode   bool    `json:"perNode,omitempty"`
	CPU       int64   `json:"cpu"`
	Memory    int64   `json:"memory"`
	StorageGB float64 `json:"storageGB,omitempty"`
	Declared  bool    `json:"declared,omitempty"`
}

// Line is one priced item.
type Line struct {
	Item    string  `json:"item"`
	Hourly  float64 `json:"hourly"`
	Monthly float64 `json:"monthly"`
}

// Estimate is the result for one environment.
type Estimate struct {
	Env           string     `json:"env"`
	Workloads     []Workload `json:"workloads"`
	CPU           int64      `json:"cpu"`
	Memory        int64      `json:"memory"`
	StorageGB     float64    `json:"storageGB"`
	LoadBalancers int        `json:"loadBalancers"`
	Nodes         int        `json:"nodes"`
	Fits          bool       `json:"fits"`
	// Used is the share of the nodes' capacity the requests take, in percent.
	UsedCPU    float64 `json:"usedCPUPercent"`
	UsedMemory float64 `json:"usedMemoryPercent"`
	Lines      []Line  `json:"lines"`
	Hourly     float64 `json:"hourly"`
	Weekend    float64 `json:"weekend"`
	Monthly    float64 `json:"monthly"`
	Budget     Budget  `json:"budget"`
}

// Run estimates one environment from its objects.
func Run(m Model, objs []manifest.Object) (*Estimate, []finding.Finding, error) {
	ws, lbs, err := workloads(objs)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range m.Footprints {
		ws = append(ws, Workload{Object: f.Component + "/" + f.Package + " (declared)", Pods: 1, PerNode: f.PerNode,
			CPU: f.CPU, Memory: f.Memory, StorageGB: f.StorageGB, Declared: true})
	}
	slices.SortFunc(ws, func(a, b Workload) int { return cmp.Compare(a.Object, b.Object) })
	e := &Estimate{Env: m.Env, Workloads: ws, LoadBalancers: lbs, Budget: m.Budget}
	for _, w := range ws {
		e.StorageGB += w.StorageGB
	}
	var fs []finding.Finding
	headroom := 1 - float64(m.Budget.HeadroomPercent)/100
	if len(m.Fixed) > 0 {
		e.Nodes = len(m.Fixed)
		e.Fits = fits(m.Fixed, ws, headroom)
		capCPU, capMem := total(m.Fixed)
		e.CPU, e.Memory = demand(ws, len(m.Fixed))
		e.UsedCPU, e.UsedMemory = pct(e.CPU, capCPU), pct(e.Memory, capMem)
		if !e.Fits {
			fs = append(fs, m.finding("cost/does-not-fit", fmt.Sprintf(
				"%s: the workloads (%s CPU, %s memory requested) do not fit %d nodes with %d%% headroom",
				m.Env, cores(e.CPU), gib(e.Memory), len(m.Fixed), m.Budget.HeadroomPercent)))
		}
	} else {
		n, ok := karpenterNodes(m, ws, headroom)
		e.Nodes, e.Fits = n, ok
		e.CPU, e.Memory = demand(ws, n)
		e.UsedCPU, e.UsedMemory = pct(e.CPU, m.Allocatable.CPU*int64(n)), pct(e.Memory, m.Allocatable.Memory*int64(n))
		if !ok {
			fs = append(fs, m.finding("cost/does-not-fit", fmt.Sprintf("%s: a pod requests more than one %s node offers", m.Env, m.InstanceType)))
		}
	}
	e.Lines = m.lines(e)
	for _, l := range e.Lines {
		e.Hourly += l.Hourly
	}
	e.Monthly = e.Hourly * HoursPerMonth
	e.Weekend = e.Hourly * float64(m.Budget.WeekendHours)
	if e.Monthly > m.Budget.MonthlyUSD+1e-9 {
		fs = append(fs, m.finding("cost/over-budget", fmt.Sprintf("%s: $%.2f a month is over the budget of $%.2f", m.Env, e.Monthly, m.Budget.MonthlyUSD)))
	}
	if m.Budget.WeekendHours > 0 && e.Weekend > m.Budget.WeekendUSD+1e-9 {
		fs = append(fs, m.finding("cost/over-budget", fmt.Sprintf("%s: $%.2f for a %d-hour weekend is over the budget of $%.2f",
			m.Env, e.Weekend, m.Budget.WeekendHours, m.Budget.WeekendUSD)))
	}
	return e, fs, nil
}

func (m Model) finding(rule, msg string) finding.Finding {
	return finding.Finding{Stage: "cost", Severity: finding.Error, File: m.Budget.File, Line: m.Budget.Line, Rule: rule, Message: msg}
}

// lines prices the estimate: nodes, fixed costs, storage and extra load balancers.
func (m Model) lines(e *Estimate) []Line {
	line := func(item string, hourly float64) Line {
		return Line{Item: item, Hourly: hourly, Monthly: hourly * HoursPerMonth}
	}
	var out []Line
	if len(m.Fixed) == 0 {
		extra := max(e.Nodes-m.SystemNodes, 0)
		out = append(out, line(fmt.Sprintf("%d system nodes (%s)", m.SystemNodes, m.InstanceType), float64(m.SystemNodes)*m.SystemPrice))
		out = append(out, line(fmt.Sprintf("%d Karpenter nodes (%s)", extra, m.InstanceType), float64(extra)*m.NodePrice))
	}
	keys := make([]string, 0, len(m.FixedHourly))
	for k := range m.FixedHourly {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, line(k, m.FixedHourly[k]))
	}
	gb := e.StorageGB + float64(e.Nodes)*m.NodeRootGB*boolf(len(m.Fixed) == 0)
	out = append(out, line(fmt.Sprintf("storage (%.0f GB)", gb), gb*m.StorageGBMonth/HoursPerMonth))
	if e.LoadBalancers > 0 {
		out = append(out, line(fmt.Sprintf("%d LoadBalancer Services", e.LoadBalancers), float64(e.LoadBalancers)*m.LBHourly))
	}
	return out
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func total(nodes []Node) (cpu, mem int64) {
	for _, n := range nodes {
		cpu += n.CPU
		mem += n.Memory
	}
	return cpu, mem
}

// demand is the total request with per-node workloads counted once per node.
func demand(ws []Workload, nodes int) (cpu, mem int64) {
	for _, w := range ws {
		n := int64(w.Pods)
		if w.PerNode {
			n = int64(nodes)
		}
		cpu += n * w.CPU
		mem += n * w.Memory
	}
	return cpu, mem
}

func pct(used, capacity int64) float64 {
	if capacity == 0 {
		return 0
	}
	return math.Round(float64(used)/float64(capacity)*1000) / 10
}

// fits reports whether the pods can be placed on the nodes and, together, leave the headroom
// free: headroom is spare capacity of the cluster, not of each node, so a pod may still fill a
// node (Ollama on a t3a.medium).
func fits(nodes []Node, ws []Workload, headroom float64) bool {
	if !pack(nodes, ws) {
		return false
	}
	capCPU, capMem := total(nodes)
	cpu, mem := demand(ws, len(nodes))
	return float64(cpu) <= float64(capCPU)*headroom && float64(mem) <= float64(capMem)*headroom
}

// karpenterNodes finds the fewest nodes of the instance type that fit the pods with headroom,
// never fewer than the system nodes. It fails when one pod is bigger than a node.
func karpenterNodes(m Model, ws []Workload, headroom float64) (int, bool) {
	if !fitsOne(m.Allocatable, ws) {
		return max(m.SystemNodes, 1), false
	}
	for n := max(m.SystemNodes, 1); n <= 1000; n++ {
		nodes := make([]Node, n)
		for i := range nodes {
			nodes[i] = m.Allocatable
		}
		if fits(nodes, ws, headroom) {
			return n, true
		}
	}
	return 1000, false
}

func fitsOne(n Node, ws []Workload) bool {
	for _, w := range ws {
		if !w.PerNode && (w.CPU > n.CPU || w.Memory > n.Memory) {
			return false
		}
	}
	return true
}

// pack places every pod first-fit-decreasing by memory, after reserving the per-node workloads
// on every node. It reports whether everything fits.
func pack(nodes []Node, ws []Workload) bool {
	free := slices.Clone(nodes)
	type pod struct{ cpu, mem int64 }
	var pods []pod
	for _, w := range ws {
		if w.PerNode {
			for i := range free {
				free[i].CPU -= w.CPU
				free[i].Memory -= w.Memory
			}
			continue
		}
		for range w.Pods {
			pods = append(pods, pod{w.CPU, w.Memory})
		}
	}
	slices.SortStableFunc(pods, func(a, b pod) int { return cmp.Or(cmp.Compare(b.mem, a.mem), cmp.Compare(b.cpu, a.cpu)) })
	for _, p := range pods {
		placed := false
		for i := range free {
			if free[i].CPU >= p.cpu && free[i].Memory >= p.mem {
				free[i].CPU -= p.cpu
				free[i].Memory -= p.mem
				placed = true
				break
			}
		}
		if !placed {
			return false
		}
	}
	for _, f := range free {
		if f.CPU < 0 || f.Memory < 0 {
			return false
		}
	}
	return true
}

func cores(milli int64) string { return fmt.Sprintf("%.2f", float64(milli)/1000) }
func gib(b int64) string       { return fmt.Sprintf("%.1fGi", float64(b)/(1<<30)) }
