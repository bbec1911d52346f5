package schemagen

import (
	"archive/zip"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the generator's output")

// fixtureZip writes a module zip holding files (path in module → testdata file), named the way
// the module cache names entries: MODULE@VERSION/path.
func fixtureZip(t *testing.T, module, version string, files map[string]string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), version+".zip")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(f)
	for path, src := range files {
		data, err := os.ReadFile(filepath.Join("testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		e, err := w.Create(module + "@" + version + "/" + path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

// fixtureDownloader serves the fixture module example.com/fixture@v1.0.0 and nothing else.
func fixtureDownloader(t *testing.T) Downloader {
	zipFile := fixtureZip(t, "example.com/fixture", "v1.0.0", map[string]string{
		"api/swagger.json":  "swagger.json",
		"crds/fixture.yaml": "crds.yaml",
	})
	return func(_ context.Context, module, version string) (Download, error) {
		if module != "example.com/fixture" || version != "v1.0.0" {
			return Download{}, fmt.Errorf("go mod download: %s@%s: 403 Forbidden", module, version)
		}
		return Download{Zip: zipFile, Sum: "h1:fixture=", Note: "requires go >= 1.99.0"}, nil
	}
}

// fixtureRoot is a scratch repository holding the fixture's source list.
func fixtureRoot(t *testing.T, sources string) string {
	t.Helper()
	root := t.TempDir()
	file := filepath.Join(root, DefaultSources)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(sources), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readTree returns every file under root's output directories, by repo-relative path.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	for _, dir := range OutputDirs {
		base := filepath.Join(root, dir)
		err := filepath.WalkDir(base, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			out[filepath.ToSlash(rel)] = string(data)
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return out
}
