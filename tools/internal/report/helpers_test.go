package report

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/finding"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name, or rewrites the file with -update so reviewers see
// every change to the output formats as a diff.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./tools/internal/report -update` to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; `go test ./tools/internal/report -update` rewrites it):\n%s", path, diff)
	}
}

// sample covers what the writers must get right: several stages and all severities, findings
// without a file, a line or a rule, and text that needs escaping in Markdown, XML and JSON. It is
// deliberately out of order.
func sample() []finding.Finding {
	return []finding.Finding{
		{Stage: "validate", Severity: finding.Error, File: "clusters/aws/apps/site/deployment.yaml", Line: 12, Col: 7,
			Object: "apps/v1/Deployment/web/site", Field: "/spec/replicas", Rule: "schema", Message: `expected integer, got string "two"`},
		{Stage: "policy", Severity: finding.Warning, File: "apps/portfolio/app.cue", Line: 14, Col: 3,
			Object: "apps/v1/Deployment/web/site", Field: "/spec/template/spec/containers/0/image", Rule: "no-latest-tag",
			Message: "image uses a mutable tag `latest` | pin a digest <sha256> & retry"},
		{Stage: "parity", Severity: finding.Error, Object: "v1/Service/web/site", Rule: "undeclared-difference",
			Message: "homelab and aws differ at /spec/type: ClusterIP vs LoadBalancer"},
		{Stage: "build", Severity: finding.Info, File: "platform/ingress/kustomization.yaml",
			Message: "substituteFrom Secret cluster-secrets is not in the repository; ${DOMAIN} left as is"},
		{Stage: "policy", Severity: finding.Error, File: "apps/portfolio/app.cue", Line: 3,
			Object: "apps/v1/Deployment/web/site", Rule: "resources-required", Message: "container web has no memory limit\nset resources.limits.memory"},
	}
}
