package policy

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/zavestudios/platform/tools/internal/finding"
)

// checkExceptions rejects exceptions that could never match as written, naming where they are
// declared: a silently dead exception would hide nothing and confuse everyone.
func checkExceptions(excs []Exception) error {
	for _, x := range excs {
		at := (finding.Finding{File: x.File, Line: x.Line}).Location()
		if at == "" {
			at = fmt.Sprintf("exception %q", x.Rule)
		}
		family, rest, _ := strings.Cut(x.Rule, "/")
		switch {
		case family == "" || rest == "":
			return fmt.Errorf("%s: exception rule %q: want <family>/<rule> or <family>/*", at, x.Rule)
		case strings.Contains(rest, "*") && rest != "*", strings.Contains(family, "*"):
			return fmt.Errorf("%s: exception rule %q: only <family>/* may use a wildcard", at, x.Rule)
		case x.Object == "":
			return fmt.Errorf("%s: exception for %s has no object pattern", at, x.Rule)
		}
		if _, err := path.Match(x.Object, ""); err != nil {
			return fmt.Errorf("%s: exception object pattern %q: %w", at, x.Object, err)
		}
	}
	return nil
}

func (x Exception) matches(f finding.Finding) bool {
	family := strings.HasSuffix(x.Rule, "/*") && strings.HasPrefix(f.Rule, strings.TrimSuffix(x.Rule, "*"))
	if x.Rule != f.Rule && !family {
		return false
	}
	ok, err := path.Match(x.Object, f.Object)
	return err == nil && ok
}

// applyExceptions drops the findings a live exception covers and adds findings about the
// exceptions: an expired one is an error and suppresses nothing (so the waived violations come
// back along with it), a live one that matched nothing is a warning so stale waivers get removed.
func applyExceptions(fs []finding.Finding, excs []Exception, now time.Time) []finding.Finding {
	if len(excs) == 0 {
		return fs
	}
	live := make([]bool, len(excs))
	used := make([]bool, len(excs))
	for i, x := range excs {
		live[i] = x.Expires.IsZero() || !x.Expires.Before(now)
	}
	kept := fs[:0:0]
	for _, f := range fs {
		waived := false
		for i, x := range excs {
			if live[i] && x.matches(f) {
				used[i], waived = true, true
			}
		}
		if !waived {
			kept = append(kept, f)
		}
	}
	for i, x := range excs {
		switch {
		case !live[i]:
			kept = append(kept, exceptionFinding(x, finding.Error, RuleExceptionExpired,
				fmt.Sprintf("exception for %s on %s expired %s", x.Rule, x.Object, x.Expires.Format(time.DateOnly))))
		case !used[i]:
			kept = append(kept, exceptionFinding(x, finding.Warning, RuleExceptionUnused,
				fmt.Sprintf("exception for %s on %s matches no finding; remove it", x.Rule, x.Object)))
		}
	}
	return kept
}

func exceptionFinding(x Exception, sev finding.Severity, rule, msg string) finding.Finding {
	if x.Reason != "" {
		msg += fmt.Sprintf(" (reason: %s)", x.Reason)
	}
	return finding.Finding{Stage: Stage, Severity: sev, File: x.File, Line: x.Line, Rule: rule, Message: msg}
}
