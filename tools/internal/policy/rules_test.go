package policy_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/policy"
)

// TestSharedRules checks that engines over one compilation (policy.Compile) find what engines
// compiling the directory themselves find, each with its own environment's data: the homelab
// registry is wrong on aws and the other way round.
func TestSharedRules(t *testing.T) {
	rules, err := policy.Compile(policiesDir)
	if err != nil {
		t.Fatal(err)
	}
	objs := web(t)
	for _, env := range []map[string]any{homelab, aws, homelab} {
		t.Run(env["name"].(string), func(t *testing.T) {
			want, err := newEngine(t, policy.Options{Env: env}).Run(t.Context(), objs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := newEngine(t, policy.Options{Env: env, Rules: rules}).Run(t.Context(), objs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-own compilation +shared):\n%s", diff)
			}
			if env["name"] == "aws" && len(got) == 0 {
				t.Error("no finding for the homelab registry on aws")
			}
		})
	}
}
