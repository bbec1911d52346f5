package docs

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/zavestudios/platform/tools/internal/load"
)

func TestSplice(t *testing.T) {
	doc := "intro\n" + Begin + "\nold\n" + End + "\noutro\n"
	got, err := Splice(doc, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n" + Begin + "\nnew\n" + End + "\noutro\n"; got != want {
		t.Errorf("Splice = %q, want %q", got, want)
	}
	if _, err := Splice("no markers", "x"); err == nil {
		t.Error("Splice without markers succeeded")
	}
}

// TestRepositoryDiagram: the README's diagram is the one the model draws, and it shows what the
// seeds say differs: both engines, each environment's exposure and every declared difference.
func TestRepositoryDiagram(t *testing.T) {
	m, err := load.Load(context.Background(), load.Options{Root: "../../.."})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := Generate(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"subgraph homelab_flux[\"Flux\"]", "subgraph aws_argo[\"Argo CD\"]",
		"Cloudflare Tunnel → cloudflared", "AWS NLB", "homelab_layer_infrastructure --> homelab_layer_platform",
		"`tunnel-connector`", "`node-provisioning`"} {
		if !strings.Contains(gen, want) {
			t.Errorf("diagram lacks %q", want)
		}
	}
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	updated, err := Splice(string(readme), gen)
	if err != nil {
		t.Fatal(err)
	}
	if updated != string(readme) {
		t.Error("README.md's diagram is stale: run `platctl docs`")
	}
}
