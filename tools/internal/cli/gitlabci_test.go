package cli

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestGitLabCICallsRealCommands: every platctl invocation in .gitlab-ci.yml names a command that
// exists and flags that command accepts, so the merge-request pipeline cannot call something
// platctl does not do.
func TestGitLabCICallsRealCommands(t *testing.T) {
	data, err := os.ReadFile("../../../.gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	var ci map[string]any
	if err := yaml.Unmarshal(data, &ci); err != nil {
		t.Fatalf(".gitlab-ci.yml: %v", err)
	}
	call := regexp.MustCompile(`platctl ([^|>;&]*)`)
	found := 0
	for job, v := range ci {
		spec, ok := v.(map[string]any)
		if !ok {
			continue
		}
		scripts, _ := spec["script"].([]any)
		for _, s := range scripts {
			line, _ := s.(string)
			for _, m := range call.FindAllStringSubmatch(line, -1) {
				found++
				args := strings.Fields(strings.NewReplacer(`"`, "", "$", "").Replace(m[1]))
				root := newRootCmd(&App{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
				cmd, rest, err := root.Find(args)
				if err != nil || cmd == root {
					t.Errorf("job %s: `platctl %s`: no such command", job, m[1])
					continue
				}
				if err := cmd.ParseFlags(rest); err != nil {
					t.Errorf("job %s: `platctl %s`: %v", job, m[1], err)
				}
			}
		}
	}
	if found < 8 {
		t.Errorf("found %d platctl calls in .gitlab-ci.yml, expected the whole merge-request pipeline", found)
	}
}

// TestPreCommitHooksCallRealCommands: the hooks this repository publishes and uses run platctl
// commands that exist, with flags those commands accept.
func TestPreCommitHooksCallRealCommands(t *testing.T) {
	for _, file := range []string{"../../../.pre-commit-hooks.yaml", "../../../.pre-commit-config.yaml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		entries := regexp.MustCompile(`entry: (?:go run ./tools/cmd/)?platctl (.*)`).FindAllStringSubmatch(string(data), -1)
		if len(entries) < 2 {
			t.Errorf("%s: %d platctl hooks, want the render check and the full check", file, len(entries))
		}
		for _, e := range entries {
			root := newRootCmd(&App{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
			cmd, rest, err := root.Find(strings.Fields(e[1]))
			if err != nil || cmd == root {
				t.Errorf("%s: `platctl %s`: no such command", file, e[1])
				continue
			}
			if err := cmd.ParseFlags(rest); err != nil {
				t.Errorf("%s: `platctl %s`: %v", file, e[1], err)
			}
		}
	}
}
