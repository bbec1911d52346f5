package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/policy"
)

func TestExceptions(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	base := web(t)
	// Two violations on the Deployment: privileged and hostPID.
	objs := edit(t, base, deploy, ctr+"/securityContext/privileged", true)
	objs = edit(t, objs, deploy, "/spec/template/spec/hostPID", true)
	at := line(t, base, deploy)
	privileged := finding.Finding{Stage: policy.Stage, Severity: finding.Error, File: webFile, Line: at,
		Object: deploy, Field: ctr + "/securityContext/privileged", Rule: "podsecurity/privileged"}
	hostPID := finding.Finding{Stage: policy.Stage, Severity: finding.Error, File: webFile, Line: at,
		Object: deploy, Field: "/spec/template/spec/hostPID", Rule: "podsecurity/host-pid"}
	exc := func(rule, object string, expires time.Time) policy.Exception {
		return policy.Exception{Rule: rule, Object: object, Reason: "node exporter", Expires: expires,
			File: "policies/exceptions.yaml", Line: 7}
	}
	about := func(sev finding.Severity, rule string) finding.Finding {
		return finding.Finding{Stage: policy.Stage, Severity: sev, File: "policies/exceptions.yaml", Line: 7, Rule: rule}
	}
	tomorrow, yesterday := now.AddDate(0, 0, 1), now.AddDate(0, 0, -1)

	tests := []struct {
		name       string
		exceptions []policy.Exception
		want       []finding.Finding
	}{
		{name: "none", want: []finding.Finding{privileged, hostPID}},
		{name: "exact rule and glob",
			exceptions: []policy.Exception{exc("podsecurity/privileged", "apps/v1/Deployment/web/*", tomorrow)},
			want:       []finding.Finding{hostPID}},
		{name: "family wildcard",
			exceptions: []policy.Exception{exc("podsecurity/*", deploy, tomorrow)},
			want:       nil},
		{name: "no expiry", exceptions: []policy.Exception{exc("podsecurity/*", deploy, time.Time{})}},
		{name: "expires today is still valid",
			exceptions: []policy.Exception{exc("podsecurity/*", deploy, now)}},
		{name: "expired does not suppress",
			exceptions: []policy.Exception{exc("podsecurity/privileged", deploy, yesterday)},
			want:       []finding.Finding{about(finding.Error, policy.RuleExceptionExpired), privileged, hostPID}},
		{name: "unused: other object",
			exceptions: []policy.Exception{exc("podsecurity/privileged", "apps/v1/Deployment/data/*", tomorrow)},
			want:       []finding.Finding{about(finding.Warning, policy.RuleExceptionUnused), privileged, hostPID}},
		{name: "unused: glob does not cross /",
			exceptions: []policy.Exception{exc("podsecurity/privileged", "apps/*", tomorrow)},
			want:       []finding.Finding{about(finding.Warning, policy.RuleExceptionUnused), privileged, hostPID}},
		{name: "unused: family prefix is not a family",
			exceptions: []policy.Exception{exc("pod/*", deploy, tomorrow)},
			want:       []finding.Finding{about(finding.Warning, policy.RuleExceptionUnused), privileged, hostPID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, policy.Options{Exceptions: tt.exceptions, Now: now})
			got, err := e.Run(t.Context(), objs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreMessage, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			for _, f := range got {
				if strings.HasPrefix(f.Rule, "policy/") && !strings.Contains(f.Message, "node exporter") {
					t.Errorf("%s message %q does not give the reason", f.Rule, f.Message)
				}
			}
		})
	}
}

func TestNewRejectsBadException(t *testing.T) {
	tests := []struct {
		name string
		exc  policy.Exception
		want string
	}{
		{"no family", policy.Exception{Rule: "privileged", Object: "*"}, `x.yaml:4: exception rule "privileged"`},
		{"wildcard rule", policy.Exception{Rule: "podsecurity/priv*", Object: "*"}, "only <family>/* may use a wildcard"},
		{"everything", policy.Exception{Rule: "*/*", Object: "*"}, "only <family>/* may use a wildcard"},
		{"no object", policy.Exception{Rule: "images/registry"}, "has no object pattern"},
		{"bad glob", policy.Exception{Rule: "images/registry", Object: "apps/v1/[Deployment"}, "syntax error in pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.exc.File, tt.exc.Line = "x.yaml", 4
			_, err := policy.New(t.Context(), policy.Options{Dir: policiesDir, Exceptions: []policy.Exception{tt.exc}})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.yaml:4: ") {
				t.Fatalf("New error = %v, want x.yaml:4: ...%s", err, tt.want)
			}
		})
	}
}
