package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkCheck is the whole check of the repository (render both environments, build,
// validate, policy, parity, cost) in one process, warm: the pre-commit hook's work.
func BenchmarkCheck(b *testing.B) {
	for b.Loop() {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), []string{"check", "-q", "--repo", "../../.."}, &out, &errb); code != 0 {
			b.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
		}
	}
}

// BenchmarkDiffOneFile is `platctl diff --base HEAD` after a one-file change to one application,
// on a git repository holding this repository's model.
func BenchmarkDiffOneFile(b *testing.B) {
	dir := b.TempDir()
	for _, d := range []string{"schemas", "platform", "apps", "policies"} {
		if err := copyDir(filepath.Join("..", "..", "..", d), filepath.Join(dir, d)); err != nil {
			b.Fatal(err)
		}
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=b", "GIT_AUTHOR_EMAIL=b@example.com", "GIT_COMMITTER_NAME=b",
			"GIT_COMMITTER_EMAIL=b@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	app := filepath.Join(dir, "apps", "portfolio-site", "app.cue")
	data, err := os.ReadFile(app)
	if err != nil {
		b.Fatal(err)
	}
	changed := bytes.Replace(data, []byte("maxReplicas: 5"), []byte("maxReplicas: 6"), 1)
	if err := os.WriteFile(app, changed, 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), []string{"diff", "-q", "--repo", dir, "--base", "HEAD"}, &out, &errb); code != 1 {
			b.Fatalf("exit %d, want 1 (changes): %s%s", code, out.String(), errb.String())
		}
	}
}
