package schemagen

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGenerateGolden runs the whole generator on the fixture module and compares every output
// file with testdata/golden (rewrite with go test -update and review the diff).
func TestGenerateGolden(t *testing.T) {
	root := fixtureRoot(t, string(readFixture(t, "sources.yaml")))
	var progress bytes.Buffer
	res, err := Generate(context.Background(), Options{Root: root, Download: fixtureDownloader(t), Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	got := readTree(t, root)
	golden := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for name, data := range got {
			file := filepath.Join(golden, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if diff := cmp.Diff(readTree(t, golden), got); diff != "" {
		t.Errorf("output differs from testdata/golden (go test -update rewrites it) (-want +got):\n%s", diff)
	}

	wantRes := Result{KubernetesSchemas: 4, CRDSchemas: 2, CRDs: 2, Written: 8, Bytes: res.Bytes}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	var total int64
	for _, data := range got {
		total += int64(len(data))
	}
	if res.Bytes != total {
		t.Errorf("Bytes = %d, files hold %d", res.Bytes, total)
	}
	for _, want := range []string{
		"example.com/fixture@v1.0.0: note: requires go >= 1.99.0",
		"example.com/fixture@v1.0.0: note: add `sum: h1:fixture=` to the source list",
		"example.com/fixture@v1.0.0: 4 schemas",
		"example.com/fixture@v1.0.0: 4 files",
	} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
}

// Regenerating gives byte-identical files, rewrites nothing, and removes what no source
// produces any more.
func TestGenerateDeterministic(t *testing.T) {
	sources := string(readFixture(t, "sources.yaml"))
	download := fixtureDownloader(t)
	gen := func(root string) Result {
		t.Helper()
		res, err := Generate(context.Background(), Options{Root: root, Download: download})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := fixtureRoot(t, sources), fixtureRoot(t, sources)
	gen(a)
	gen(b)
	if diff := cmp.Diff(readTree(t, a), readTree(t, b)); diff != "" {
		t.Errorf("two generations differ (-a +b):\n%s", diff)
	}

	stale := filepath.Join(a, "schemas/jsonschema/crds/gone.example.com/old_v1.json")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, b)
	res := gen(a)
	if res.Written != 0 || res.Removed != 1 {
		t.Errorf("regeneration wrote %d and removed %d files, want 0 and 1", res.Written, res.Removed)
	}
	if _, err := os.Stat(filepath.Dir(stale)); !os.IsNotExist(err) {
		t.Errorf("emptied directory %s left behind", filepath.Dir(stale))
	}
	if diff := cmp.Diff(before, readTree(t, a)); diff != "" {
		t.Errorf("regeneration changed files (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(a, DefaultSources)); err != nil {
		t.Errorf("source list removed: %v", err)
	}
}

func TestGenerateErrors(t *testing.T) {
	const module = "  - module: example.com/fixture\n    version: v1.0.0\n"
	tests := []struct {
		name, sources, wantErr string
	}{
		{name: "sum mismatch", sources: "kubernetes:\n" + module + "    sum: h1:other=\n    path: api/swagger.json\n",
			wantErr: "example.com/fixture@v1.0.0: downloaded module has sum h1:fixture=, the source list says h1:other="},
		{name: "file not in the zip", sources: "kubernetes:\n" + module + "    path: api/nope.json\n", wantErr: "no file api/nope.json"},
		{name: "module not served", sources: "crds:\n  - module: example.com/other\n    version: v1.0.0\n    paths: [a.yaml]\n", wantErr: "403 Forbidden"},
		{name: "swagger listed as CRDs", sources: "crds:\n" + module + "    paths: [api/swagger.json]\n", wantErr: "example.com/fixture@v1.0.0 api/swagger.json: document 1"},
		{name: "unknown key", sources: "crds:\n" + module + "    path: [a.yaml]\n", wantErr: `unknown field "path"`},
		{name: "version query", sources: "crds:\n  - module: example.com/fixture\n    version: latest\n    paths: [a.yaml]\n", wantErr: "version must be an exact semantic version"},
		{name: "no paths", sources: "crds:\n" + module, wantErr: "no paths"},
		{name: "bad sum", sources: "crds:\n" + module + "    sum: abc\n    paths: [a.yaml]\n", wantErr: "sum must be an h1: hash"},
		{name: "same output twice", sources: "crds:\n" + module + "    paths: [crds/fixture.yaml]\n" + module + "    paths: [crds/fixture.yaml]\n",
			wantErr: "is also produced by an earlier source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fixtureRoot(t, tt.sources)
			_, err := Generate(context.Background(), Options{Root: root, Download: fixtureDownloader(t)})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
			if got := readTree(t, root); len(got) != 0 {
				t.Errorf("a failed run wrote %d files", len(got))
			}
		})
	}
}

func TestMainFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "unknown flag", args: []string{"-bogus"}, want: "flag provided but not defined: -bogus"},
		{name: "stray argument", args: []string{"extra"}, want: `unexpected arguments ["extra"]`},
		{name: "no source list", args: []string{"-root", t.TempDir()}, want: "schemagen: read sources:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(tt.args, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.want)
			}
		})
	}
}
