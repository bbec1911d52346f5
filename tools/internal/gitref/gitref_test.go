package gitref

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q", "-b", "main")
	write("schemas/model.cue", "package p\n")
	write("schemas/jsonschema/big.json", "{}\n")
	write("apps/a/app.cue", "package p\n")
	run("add", "-A")
	run("commit", "-q", "-m", "one")
	write("apps/a/app.cue", "package p\nx: 1\n")
	return dir
}

func files(t *testing.T, dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return err
	})
	slices.Sort(out)
	return out
}

// TestExport: the pathspecs select what is exported, exclusions are honoured, and a pathspec
// naming a folder the revision does not have is dropped rather than failing git archive.
func TestExport(t *testing.T) {
	repo := gitRepo(t)
	dir, cleanup, err := Export(context.Background(), repo, "HEAD", "schemas", "platform", "apps", ":(exclude)schemas/jsonschema")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	got := files(t, dir)
	want := []string{"apps/a/app.cue", "schemas/model.cue"}
	if !slices.Equal(got, want) {
		t.Errorf("exported %v, want %v", got, want)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "apps/a/app.cue")); string(data) != "package p\n" {
		t.Errorf("exported the working tree's file, not the commit's: %q", data)
	}
	cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cleanup left %s", dir)
	}
	if _, _, err := Export(context.Background(), repo, "nope"); err == nil {
		t.Error("Export of an unknown revision succeeded")
	}
	if _, _, err := Export(context.Background(), repo, "HEAD", "platform"); err == nil {
		t.Error("Export of a pathspec the revision lacks entirely succeeded")
	}
}

func TestChangedFiles(t *testing.T) {
	repo := gitRepo(t)
	got, err := ChangedFiles(context.Background(), repo, "HEAD", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"apps/a/app.cue"}) {
		t.Errorf("changed = %v, want [apps/a/app.cue]", got)
	}
}
