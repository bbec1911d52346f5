package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// regoErrors prints OPA errors one per line as file:line:col: code: message, the form editors
// jump to; ast.Errors' own text leaves out the column and starts with a count.
type regoErrors ast.Errors

func (e regoErrors) Error() string {
	lines := make([]string, 0, len(e))
	for _, err := range e {
		if err == nil {
			continue
		}
		var loc string
		if l := err.Location; l != nil {
			// OPA leaves row or column 0 when it has none (an empty file, end of input).
			switch {
			case l.Row == 0:
				loc = l.File + ": "
			case l.Col == 0:
				loc = fmt.Sprintf("%s:%d: ", l.File, l.Row)
			default:
				loc = fmt.Sprintf("%s:%d:%d: ", l.File, l.Row, l.Col)
			}
		}
		lines = append(lines, fmt.Sprintf("%s%s: %s", loc, err.Code, err.Message))
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets callers reach the ast.Errors with errors.As.
func (e regoErrors) Unwrap() error { return ast.Errors(e) }

// asErrors finds OPA errors in err, whether the parser returned a list or a single error.
func asErrors(err error, target *ast.Errors) bool {
	if errors.As(err, target) {
		return true
	}
	var one *ast.Error
	if errors.As(err, &one) {
		*target = ast.Errors{one}
		return true
	}
	return false
}

// regoErrorsOf formats err as regoErrors when it carries OPA errors, and returns it unchanged
// otherwise.
func regoErrorsOf(err error) error {
	var errs ast.Errors
	if asErrors(err, &errs) {
		return regoErrors(errs)
	}
	return err
}
