// Package load evaluates the platform's CUE model: every .cue file under schemas/, platform/ and
// apps/ is one package, loaded together so definitions, environments, components and
// applications unify into one value.
package load

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	cueload "cuelang.org/go/cue/load"
)

// SourceDirs are the folders, relative to the repository root, that hold the model.
var SourceDirs = []string{"schemas", "platform", "apps"}

// Options says where the repository is.
type Options struct {
	Root string
}

// Model is the evaluated CUE value of the whole platform.
type Model struct {
	Root  string
	Value cue.Value
	// Files are the repo-relative .cue files the model was loaded from.
	Files []string
}

// Load evaluates the model. A CUE error is returned as *Error, which prints every position
// relative to the repository root, the way `cue vet` does.
func Load(ctx context.Context, opts Options) (*Model, error) {
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	opts.Root = root
	files, err := Files(opts.Root)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load: no .cue files under %s", strings.Join(SourceDirs, ", "))
	}
	insts := cueload.Instances(files, &cueload.Config{Dir: opts.Root, Context: nil})
	if len(insts) != 1 {
		return nil, fmt.Errorf("load: expected one CUE package, got %d", len(insts))
	}
	if err := insts[0].Err; err != nil {
		return nil, &Error{Root: opts.Root, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v := cuecontext.New().BuildInstance(insts[0])
	if err := v.Err(); err != nil {
		return nil, &Error{Root: opts.Root, Err: err}
	}
	return &Model{Root: opts.Root, Value: v, Files: files}, nil
}

// Files lists the model's .cue files, repo-relative and sorted, so the load order (and with it
// CUE's field order) never depends on the file system.
func Files(root string) ([]string, error) {
	var files []string
	for _, dir := range SourceDirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && path == filepath.Join(root, dir) {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != filepath.Join(root, dir) {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".cue") {
				rel, err := filepath.Rel(root, path)
				if err != nil {
					return err
				}
				files = append(files, "./"+filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	slices.Sort(files)
	return files, nil
}

// Error is a CUE evaluation error with every position it carries.
type Error struct {
	Root string
	Err  error
}

func (e *Error) Error() string { return cueerrors.Details(e.Err, &cueerrors.Config{Cwd: e.Root}) }
func (e *Error) Unwrap() error { return e.Err }

// Details is the text platctl prints: each error with all its positions, relative to the root.
func (e *Error) Details() string {
	return cueerrors.Details(e.Err, &cueerrors.Config{Cwd: e.Root, ToSlash: true})
}

// Positions lists each error's first position, repo-relative, for structured findings.
func (e *Error) Positions() []Position {
	var out []Position
	for _, ce := range cueerrors.Errors(e.Err) {
		p := Position{Message: ce.Error()}
		if ps := cueerrors.Positions(ce); len(ps) > 0 {
			p.File = Rel(e.Root, ps[0].Filename())
			p.Line, p.Col = ps[0].Line(), ps[0].Column()
		}
		out = append(out, p)
	}
	return out
}

// Position is a repo-relative source position.
type Position struct {
	File      string
	Line, Col int
	Message   string
}

// Rel makes a CUE file name repo-relative with forward slashes.
func Rel(root, name string) string {
	if name == "" {
		return ""
	}
	if filepath.IsAbs(name) {
		if r, err := filepath.Rel(root, name); err == nil {
			name = r
		}
	}
	return strings.TrimPrefix(filepath.ToSlash(name), "./")
}
