// Package gitref materialises a git revision of the repository as a plain directory, so every
// stage can load, render and build it exactly as it loads the working tree.
package gitref

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Resolve returns the commit a revision names, or an error naming the revision.
func Resolve(ctx context.Context, root, rev string) (string, error) {
	out, err := git(ctx, root, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("unknown revision %q: %w", rev, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Export writes the tracked files of a commit into a new temporary directory, or only those
// under the given pathspecs (git's, so ":(exclude)dir" leaves a folder out). The caller removes
// the directory with the returned cleanup function.
func Export(ctx context.Context, root, rev string, pathspecs ...string) (dir string, cleanup func(), err error) {
	commit, err := Resolve(ctx, root, rev)
	if err != nil {
		return "", nil, err
	}
	dir, err = os.MkdirTemp("", "platctl-"+commit[:12]+"-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	args := []string{"-C", root, "archive", "--format=tar", commit}
	if len(pathspecs) > 0 {
		specs, err := present(ctx, root, commit, pathspecs)
		if err != nil {
			cleanup()
			return "", nil, err
		}
		args = append(append(args, "--"), specs...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %w", rev, err)
	}
	if err := untar(stdout, dir); err != nil {
		_ = cmd.Wait()
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %w", rev, err)
	}
	if err := cmd.Wait(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %w: %s", rev, err, strings.TrimSpace(stderr.String()))
	}
	return dir, cleanup, nil
}

// ChangedFiles lists the repo-relative files that differ between a commit and the working tree
// (or another commit when to is not empty), tracked files only.
func ChangedFiles(ctx context.Context, root, from, to string) ([]string, error) {
	args := []string{"diff", "--name-only", "--no-renames", from}
	if to != "" {
		args = append(args, to)
	}
	out, err := git(ctx, root, args...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			files = append(files, l)
		}
	}
	return files, nil
}

// present keeps the pathspecs git archive can match in the commit: git fails on a pathspec that
// matches nothing, and a revision may predate a folder. Exclusions always stay.
func present(ctx context.Context, root, commit string, specs []string) ([]string, error) {
	out, err := git(ctx, root, "ls-tree", "--name-only", commit)
	if err != nil {
		return nil, err
	}
	top := map[string]bool{}
	for _, n := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		top[n] = true
	}
	var keep []string
	positive := 0
	for _, s := range specs {
		if strings.HasPrefix(s, ":(exclude)") {
			if top[strings.SplitN(strings.TrimPrefix(s, ":(exclude)"), "/", 2)[0]] {
				keep = append(keep, s)
			}
			continue
		}
		if top[strings.SplitN(s, "/", 2)[0]] {
			keep = append(keep, s)
			positive++
		}
	}
	if positive == 0 {
		return nil, fmt.Errorf("%s holds none of %s", commit[:12], strings.Join(specs, ", "))
	}
	return keep, nil
}

func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("unsafe path in archive: %s", h.Name)
		}
		dst := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, h.FileInfo().Mode().Perm())
			if err != nil {
				return err
			}
			// the archive is git's own, of the repository's tracked files: no decompression bomb
			_, err = io.Copy(f, tr) //nolint:gosec // G110: see above
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, dst); err != nil {
				return err
			}
		}
	}
}

func git(ctx context.Context, root string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}
