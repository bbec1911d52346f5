package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zavestudios/platform/tools/internal/manifest"
	"github.com/zavestudios/platform/tools/internal/policy"
)

// writePolicies makes <tmp>/policies holding files and returns its path.
func writePolicies(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "policies")
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const goodRego = `package platform.policies.ok

deny contains {"rule": "ok/kind", "msg": "no ConfigMaps", "field": "/kind"} if input.kind == "ConfigMap"
`

// TestNewMalformed: a policy that does not parse or compile is an error naming it repo-relative
// (relative to the policies directory's parent) with line and column.
func TestNewMalformed(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{name: "parse error",
			files: map[string]string{"ok.rego": goodRego, "bad.rego": "package platform.policies.bad\n\ndeny contains v if {\n\tv := \n}\n"},
			want:  []string{"policies/bad.rego:5:1: rego_parse_error"}},
		{name: "parse errors in two files",
			files: map[string]string{"a.rego": "package a\n\nx := {\n", "lib/b.rego": "package b\n\ny if (\n"},
			want:  []string{"policies/a.rego:4: rego_parse_error", "policies/lib/b.rego:4: rego_parse_error"}},
		{name: "compile error",
			files: map[string]string{"unsafe.rego": "package platform.policies.unsafe\n\ndeny contains v if {\n\tx == 1\n}\n"},
			want:  []string{"policies/unsafe.rego:3:", "rego_unsafe_var_error"}},
		{name: "no package",
			files: map[string]string{"empty.rego": "# nothing yet\n"},
			want:  []string{"policies/empty.rego: rego_parse_error: empty module"}},
		{name: "no files", files: map[string]string{"README.md": "x"}, want: []string{"no .rego files"}},
		// The engine only looks one level below platform.policies; a deeper rule would never run.
		{name: "nested family",
			files: map[string]string{"deep.rego": "package platform.policies.pods.extra\n\ndeny contains 1 if false\n"},
			want:  []string{"policies/deep.rego:3:", "deny rules must be in a package platform.policies.<family>, not platform.policies.pods.extra"}},
		// A broken test file does not stop the engine, which never loads tests; Test reports it.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.New(t.Context(), policy.Options{Dir: writePolicies(t, tt.files)})
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New error\n%v\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestNewMissingDir(t *testing.T) {
	if _, err := policy.New(t.Context(), policy.Options{Dir: filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Fatal("New succeeded on a missing directory")
	}
}

func TestNewSkipsTestFiles(t *testing.T) {
	dir := writePolicies(t, map[string]string{"ok.rego": goodRego, "ok_test.rego": "package broken(\n"})
	if _, err := policy.New(t.Context(), policy.Options{Dir: dir}); err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, _, _, err := policy.Test(t.Context(), dir); err == nil || !strings.Contains(err.Error(), "policies/ok_test.rego:2: rego_parse_error") {
		t.Fatalf("Test error = %v, want policies/ok_test.rego:2: rego_parse_error...", err)
	}
}

// TestRunBadViolation: a rule that breaks the conventions is an error naming its package, not a
// finding with blanks.
func TestRunBadViolation(t *testing.T) {
	cm := []manifest.Object{{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}}}}
	tests := []struct {
		name, src, want string
	}{
		{"string element", `package platform.policies.str

deny contains "bad" if input.kind == "ConfigMap"
`, "data.platform.policies.str.deny: element bad is not an object"},
		{"no rule", `package platform.policies.norule

deny contains {"msg": "m"} if input.kind == "ConfigMap"
`, "data.platform.policies.norule.deny: element map[msg:m] has no rule"},
		{"field not a string", `package platform.policies.num

deny contains {"rule": "num/x", "msg": "m", "field": 3} if input.kind == "ConfigMap"
`, `"field" is json.Number, want string`},
		{"rule outside its family", `package platform.policies.fam

deny contains {"rule": "other/x", "msg": "m"} if input.kind == "ConfigMap"
`, `data.platform.policies.fam.deny: rule "other/x": want fam/<rule>`},
		{"cluster without object", `package platform.policies.cl

deny_cluster contains {"rule": "cl/x", "msg": "m"} if count(input.objects) > 0
`, "data.platform.policies.cl.deny_cluster: cl/x: element has no object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := policy.New(t.Context(), policy.Options{Dir: writePolicies(t, map[string]string{"p.rego": tt.src})})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Run(t.Context(), cm)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestTestReport: failing Rego tests are counted and listed at their file:line.
func TestTestReport(t *testing.T) {
	dir := writePolicies(t, map[string]string{
		"ok.rego": goodRego,
		"ok_test.rego": `package platform.policies.ok_test

import data.platform.policies.ok

test_configmap_denied if count(ok.deny) == 1 with input as {"kind": "ConfigMap"}

test_wrong if count(ok.deny) == 2 with input as {"kind": "ConfigMap"}

todo_test_later if false
`,
	})
	passed, failed, report, err := policy.Test(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if passed != 1 || failed != 1 {
		t.Errorf("passed, failed = %d, %d; want 1, 1", passed, failed)
	}
	want := "FAIL policies/ok_test.rego:7: data.platform.policies.ok_test.test_wrong\nPASS: 1/2 (1 skipped)\n"
	if report != want {
		t.Errorf("report:\n%s\nwant:\n%s", report, want)
	}
}
