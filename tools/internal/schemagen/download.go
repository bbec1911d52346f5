package schemagen

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Downloader makes a module's zip available locally. The default, GoModDownload, uses the go
// command, so the module proxy, GOPROXY/GONOSUMDB settings and the checksum database apply as
// for any dependency; tests pass a function that serves a zip built from testdata.
type Downloader func(ctx context.Context, module, version string) (Download, error)

// Download is where a module zip landed.
type Download struct {
	Zip string // path of the module zip
	Sum string // its h1: hash
	// Note is a non-fatal complaint from the go command, e.g. "requires go >= 1.27.0".
	Note string
}

// GoModDownload runs `go mod download -json MODULE@VERSION` outside any module, so it can
// neither edit go.mod/go.sum nor be confused by a go.work.
//
// The go command writes the verified zip into the module cache before it checks the module's
// go directive, so a module declaring a newer go than ours fails with "requires go >= …" but
// leaves a usable zip: we only read files from it, so that error becomes a Note.
func GoModDownload(ctx context.Context, module, version string) (Download, error) {
	dir, err := os.MkdirTemp("", "schemagen-")
	if err != nil {
		return Download{}, err
	}
	defer os.RemoveAll(dir)

	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = dir
	// GOTOOLCHAIN=local: a module's go directive must not make the go command fetch a toolchain.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on", "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	var out struct{ Error, Zip, Sum string }
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return Download{}, fmt.Errorf("go mod download %s@%s: %w: %s", module, version,
			errors.Join(runErr, err), strings.TrimSpace(stderr.String()))
	}
	if out.Zip != "" {
		if _, err := os.Stat(out.Zip); err == nil {
			return Download{Zip: out.Zip, Sum: out.Sum, Note: out.Error}, nil
		}
	}
	if out.Error != "" {
		return Download{}, fmt.Errorf("go mod download: %s", out.Error)
	}
	return Download{}, fmt.Errorf("go mod download %s@%s: no zip: %w", module, version, runErr)
}

// moduleZip reads files from a module zip, whose entries are all named MODULE@VERSION/path.
type moduleZip struct {
	name  string // zip path, for errors
	r     *zip.ReadCloser
	files map[string]*zip.File // by path inside the module
}

func openModuleZip(file string, m Module) (*moduleZip, error) {
	r, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("open %s zip: %w", m, err)
	}
	prefix := m.Module + "@" + m.Version + "/"
	z := &moduleZip{name: file, r: r, files: make(map[string]*zip.File)}
	for _, f := range r.File {
		if p, ok := strings.CutPrefix(f.Name, prefix); ok {
			z.files[p] = f
		}
	}
	return z, nil
}

func (z *moduleZip) Close() error { return z.r.Close() }

func (z *moduleZip) read(path string) ([]byte, error) {
	f, ok := z.files[path]
	if !ok {
		return nil, fmt.Errorf("%s: no file %s", z.name, path)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", z.name, path, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", z.name, path, err)
	}
	return data, nil
}
