package policy

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// regoVersion is the Rego dialect of every policy file: v1 (if/contains keywords, no rego.v1 import).
const regoVersion = ast.RegoV1

// loadModules parses every .rego file under dir, test files only when withTests is set. Modules
// are named by their path relative to dir's parent (policies/images.rego), so parse, compile and
// test locations read as repo-relative when dir is <repo>/policies.
func loadModules(dir string, withTests bool) (map[string]*ast.Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("policies %s: %w", dir, err)
	}
	base := filepath.Dir(abs)
	modules := map[string]*ast.Module{}
	var parseErrs ast.Errors
	err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(path) != ".rego" {
			return nil
		}
		if !withTests && strings.HasSuffix(path, "_test.rego") {
			return nil
		}
		name, err := filepath.Rel(base, path)
		if err != nil {
			return err
		}
		name = filepath.ToSlash(name)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		mod, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{RegoVersion: regoVersion})
		if err != nil {
			// Parse errors of every file are collected so one run reports them all.
			var errs ast.Errors
			if asErrors(err, &errs) {
				parseErrs = append(parseErrs, errs...)
				return nil
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		if mod == nil {
			// An empty file (or only comments) has no package: say so rather than skip it silently.
			parseErrs = append(parseErrs, ast.NewError(ast.ParseErr, &ast.Location{File: name, Row: 1, Col: 1}, "no package declaration"))
			return nil
		}
		modules[name] = mod
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load policies %s: %w", dir, err)
	}
	if len(parseErrs) > 0 {
		return nil, fmt.Errorf("parse policies: %w", regoErrors(parseErrs))
	}
	if len(modules) == 0 {
		return nil, fmt.Errorf("load policies %s: no .rego files", dir)
	}
	return modules, nil
}

// compile compiles the modules once; every prepared query shares the result.
func compile(modules map[string]*ast.Module) (*ast.Compiler, error) {
	if errs := misplacedRules(modules); len(errs) > 0 {
		return nil, fmt.Errorf("compile policies: %w", errs)
	}
	c := ast.NewCompiler().WithDefaultRegoVersion(regoVersion)
	if c.Compile(modules); c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", regoErrors(c.Errors))
	}
	return c, nil
}

// policiesRoot is the package every family sits directly under.
var policiesRoot = ast.MustParseRef("data.platform.policies")

// misplacedRules reports deny and deny_cluster rules the engine would never evaluate: its queries
// look exactly one level below data.platform.policies, so a rule in platform.policies.a.b would
// otherwise be silently skipped.
func misplacedRules(modules map[string]*ast.Module) regoErrors {
	var errs regoErrors
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		mod := modules[name]
		path := mod.Package.Path
		if !path.HasPrefix(policiesRoot) || len(path) == len(policiesRoot)+1 {
			continue
		}
		for _, rule := range mod.Rules {
			if head := rule.Head.Ref(); len(head) > 0 && slices.Contains([]string{"deny", "deny_cluster"}, head[0].String()) {
				errs = append(errs, ast.NewError(ast.CompileErr, rule.Location,
					"%s rules must be in a package platform.policies.<family>, not %s", head[0], strings.TrimPrefix(path.String(), "data.")))
				break
			}
		}
	}
	return errs
}
