package policy_test

import (
	"path/filepath"
	"testing"

	"github.com/zavestudios/platform/tools/internal/policy"
)

// policiesDir is the repository's policies/ directory, relative to this package.
var policiesDir = filepath.Join("..", "..", "..", "policies")

// TestRegoUnitTests runs every *_test.rego under policies/; this is how `make test` runs them.
func TestRegoUnitTests(t *testing.T) {
	passed, failed, report, err := policy.Test(t.Context(), policiesDir)
	if err != nil {
		t.Fatalf("policy.Test: %v", err)
	}
	if failed > 0 {
		t.Fatalf("%d of %d Rego tests failed:\n%s", failed, passed+failed, report)
	}
	if passed == 0 {
		t.Fatalf("no Rego tests ran under %s", policiesDir)
	}
	t.Logf("%s", report)
}
