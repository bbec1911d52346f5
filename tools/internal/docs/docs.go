// Package docs draws the platform from the model that deploys it: a Mermaid diagram of every
// environment (components, the engine that owns them, their dependsOn order, exposure, registry
// and storage) and the table of declared differences, kept in README.md between markers.
package docs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/load"
)

// Markers delimit the generated part of README.md.
const (
	Begin = "<!-- platctl docs: begin (generated from the CUE model; run `platctl docs`) -->"
	End   = "<!-- platctl docs: end -->"
)

type layer struct {
	DependsOn []string `json:"dependsOn"`
}

type component struct {
	Layer       string `json:"layer"`
	Description string `json:"description"`
}

type application struct {
	Namespace   string `json:"namespace"`
	Description string `json:"description"`
}

type environment struct {
	Description string `json:"description"`
	Cluster     struct {
		Distribution string `json:"distribution"`
		Version      string `json:"version"`
		Region       string `json:"region"`
	} `json:"cluster"`
	Nodes struct {
		Provisioning  string         `json:"provisioning"`
		VMs           map[string]any `json:"vms"`
		InstanceTypes []string       `json:"instanceTypes"`
		CapacityType  []string       `json:"capacityType"`
	} `json:"nodes"`
	Storage struct {
		Class       string `json:"class"`
		Provisioner string `json:"provisioner"`
	} `json:"storage"`
	Exposure struct {
		Kind string `json:"kind"`
	} `json:"exposure"`
	Registry struct {
		Host string `json:"host"`
		Kind string `json:"kind"`
	} `json:"registry"`
	Domain string `json:"domain"`
}

type difference struct {
	Seed   string            `json:"seed"`
	Reason string            `json:"reason"`
	Kind   string            `json:"kind"`
	Name   string            `json:"name"`
	Path   string            `json:"path"`
	Only   []string          `json:"only"`
	Values map[string]string `json:"values"`
}

// Generate returns the Markdown between the markers.
func Generate(m *load.Model) (string, error) {
	envs, err := m.Environments()
	if err != nil {
		return "", err
	}
	var layers map[string]layer
	if err := m.Decode("layers", &layers); err != nil {
		return "", err
	}
	layerOrder := topo(layers)
	var b strings.Builder
	b.WriteString("```mermaid\nflowchart TB\n")
	b.WriteString("  users((Users))\n  git[(\"GitLab repository\")]\n")
	for _, e := range envs {
		var env environment
		if err := m.Decode(fmt.Sprintf("environments.%q", e), &env); err != nil {
			return "", err
		}
		var comps map[string]component
		if err := m.Decode(fmt.Sprintf("clusters.%q.components", e), &comps); err != nil {
			return "", err
		}
		var apps map[string]application
		if err := m.Decode(fmt.Sprintf("clusters.%q.applications", e), &apps); err != nil {
			return "", err
		}
		writeEnv(&b, e, env, layerOrder, layers, comps, apps)
	}
	b.WriteString("```\n")
	var diffs map[string]difference
	if err := m.Decode("differences", &diffs); err != nil {
		return "", err
	}
	writeDifferences(&b, envs, diffs)
	return b.String(), nil
}

func writeEnv(b *strings.Builder, e string, env environment, order []string, layers map[string]layer,
	comps map[string]component, apps map[string]application) {
	id := func(parts ...string) string { return strings.ReplaceAll(e+"_"+strings.Join(parts, "_"), "-", "_") }
	nodes := fmt.Sprintf("%d fixed VMs", len(env.Nodes.VMs))
	if env.Nodes.Provisioning == "karpenter" {
		nodes = "Karpenter " + strings.Join(env.Nodes.CapacityType, "/") + " " + strings.Join(env.Nodes.InstanceTypes, ", ")
	}
	fmt.Fprintf(b, "  subgraph %s[\"%s · %s %s · %s\"]\n", id("env"), e, env.Cluster.Distribution, env.Cluster.Version, nodes)
	fmt.Fprintf(b, "    subgraph %s[\"Flux\"]\n", id("flux"))
	for _, l := range order {
		var names []string
		for cn, c := range comps {
			if c.Layer == l {
				names = append(names, cn)
			}
		}
		slices.Sort(names)
		fmt.Fprintf(b, "      %s[\"%s: %s\"]\n", id("layer", l), l, strings.Join(names, ", "))
	}
	for _, l := range order {
		for _, d := range layers[l].DependsOn {
			fmt.Fprintf(b, "      %s --> %s\n", id("layer", d), id("layer", l))
		}
	}
	b.WriteString("    end\n")
	fmt.Fprintf(b, "    subgraph %s[\"Argo CD\"]\n", id("argo"))
	appNames := make([]string, 0, len(apps))
	for an := range apps {
		appNames = append(appNames, an)
	}
	slices.Sort(appNames)
	for _, an := range appNames {
		fmt.Fprintf(b, "      %s[\"%s (ns %s)\"]\n", id("app", an), an, apps[an].Namespace)
	}
	b.WriteString("    end\n")
	edge := "Cloudflare Tunnel → cloudflared"
	if env.Exposure.Kind == "nlb" {
		edge = "AWS NLB"
	}
	fmt.Fprintf(b, "    %s{{\"Istio gateway (%s)\"}}\n", id("gateway"), env.Domain)
	fmt.Fprintf(b, "    %s[(\"%s registry: %s\")]\n", id("registry"), env.Registry.Kind, env.Registry.Host)
	fmt.Fprintf(b, "    %s[(\"storage: %s (%s)\")]\n", id("storage"), env.Storage.Class, env.Storage.Provisioner)
	b.WriteString("  end\n")
	fmt.Fprintf(b, "  git -->|sync clusters/%s| %s\n", e, id("flux"))
	if len(order) > 0 {
		fmt.Fprintf(b, "  %s -->|root Application| %s\n", id("layer", order[len(order)-1]), id("argo"))
	}
	fmt.Fprintf(b, "  users -->|%s| %s --> %s\n", edge, id("gateway"), id("argo"))
	fmt.Fprintf(b, "  %s -.->|images| %s\n", id("registry"), id("argo"))
	fmt.Fprintf(b, "  %s -.->|volumes| %s\n", id("storage"), id("argo"))
}

// writeDifferences tabulates the declared differences by the seeds' line they belong to.
func writeDifferences(b *strings.Builder, envs []string, diffs map[string]difference) {
	b.WriteString("\n| seeds' \"What's Different\" | declared difference | objects · field | ")
	b.WriteString(strings.Join(envs, " | ") + " |\n|---|---|---|" + strings.Repeat("---|", len(envs)) + "\n")
	ids := make([]string, 0, len(diffs))
	for id := range diffs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, c string) int {
		return strings.Compare(diffs[a].Seed+"/"+a, diffs[c].Seed+"/"+c)
	})
	for _, id := range ids {
		d := diffs[id]
		what := d.Kind
		if d.Name != "" {
			what += " " + d.Name
		}
		if d.Path != "" {
			what += " · `" + d.Path + "`"
		}
		fmt.Fprintf(b, "| %s | `%s`: %s | %s |", d.Seed, id, d.Reason, strings.ReplaceAll(what, "|", "\\|"))
		for _, e := range envs {
			cell := ""
			switch {
			case len(d.Only) > 0 && slices.Contains(d.Only, e):
				cell = "only here"
			case len(d.Only) > 0:
				cell = "—"
			case d.Values[e] != "":
				cell = "`" + strings.ReplaceAll(d.Values[e], "|", "\\|") + "`"
			case len(d.Values) > 0:
				cell = "absent"
			default:
				cell = "differs"
			}
			fmt.Fprintf(b, " %s |", cell)
		}
		b.WriteString("\n")
	}
}

// topo orders layers so each comes after what it depends on (ties by name).
func topo(layers map[string]layer) []string {
	var names []string
	for n := range layers {
		names = append(names, n)
	}
	slices.Sort(names)
	done := map[string]bool{}
	var out []string
	var visit func(string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true
		for _, d := range layers[n].DependsOn {
			visit(d)
		}
		out = append(out, n)
	}
	for _, n := range names {
		visit(n)
	}
	return out
}

// Splice replaces the text between the markers of doc with generated; doc must hold both.
func Splice(doc, generated string) (string, error) {
	i := strings.Index(doc, Begin)
	j := strings.Index(doc, End)
	if i < 0 || j < i {
		return "", fmt.Errorf("README.md has no %q … %q section", Begin, End)
	}
	return doc[:i+len(Begin)] + "\n" + generated + doc[j:], nil
}
