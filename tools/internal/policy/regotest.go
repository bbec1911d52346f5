package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// Test runs the Rego unit tests (test_* rules, usually in *_test.rego files) under dir, as
// `opa test` would. The report lists each failing or erroring test at its file:line, then a
// summary; err is set only when the tests could not run (a file that does not parse or compile).
func Test(ctx context.Context, dir string) (passed, failed int, report string, err error) {
	modules, err := loadModules(dir, true)
	if err != nil {
		return 0, 0, "", err
	}
	ch, err := tester.NewRunner().
		SetModules(modules).
		SetStore(inmem.New()).
		SetDefaultRegoVersion(regoVersion).
		RunTests(ctx, nil)
	if err != nil {
		return 0, 0, "", fmt.Errorf("run policy tests: %w", regoErrorsOf(err))
	}
	var failures []string
	skipped := 0
	for r := range ch {
		switch {
		case r.Skip:
			skipped++
		case r.Pass():
			passed++
		default:
			failed++
			line := fmt.Sprintf("FAIL %s.%s", r.Package, r.Name)
			if r.Location != nil {
				line = fmt.Sprintf("FAIL %s:%d: %s.%s", r.Location.File, r.Location.Row, r.Package, r.Name)
			}
			if r.Error != nil {
				line += ": " + r.Error.Error()
			}
			failures = append(failures, line)
		}
	}
	if err := ctx.Err(); err != nil {
		return passed, failed, "", fmt.Errorf("run policy tests: %w", err)
	}
	// Results arrive in completion order; sorting keeps the report stable.
	slices.Sort(failures)
	var b strings.Builder
	for _, f := range failures {
		b.WriteString(f + "\n")
	}
	fmt.Fprintf(&b, "PASS: %d/%d", passed, passed+failed)
	if skipped > 0 {
		fmt.Fprintf(&b, " (%d skipped)", skipped)
	}
	b.WriteString("\n")
	return passed, failed, b.String(), nil
}
