package build

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// writeTree writes a txtar archive into a temporary directory and returns it.
func writeTree(tb testing.TB, archive string) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// build runs the builder over a tree and fails the test on an operational error.
func build(tb testing.TB, opts Options) (*Result, []finding.Finding) {
	tb.Helper()
	res, fs, err := New(opts).Run(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return res, fs
}

// object finds an object by kind and name.
func object(tb testing.TB, res *Result, kind, name string) manifest.Object {
	tb.Helper()
	for _, o := range res.Objects {
		if o.Kind() == kind && o.Name() == name {
			return o
		}
	}
	tb.Fatalf("no %s/%s among %d objects", kind, name, len(res.Objects))
	return manifest.Object{}
}

// messages lists findings as text, for comparison.
func messages(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// indent indents a YAML block for embedding in a test archive.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
