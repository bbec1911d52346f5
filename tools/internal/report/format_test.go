package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/finding"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		allowed []Format
		want    Format
		wantErr string
	}{
		{name: "every format by default", in: "codequality", want: CodeQuality},
		{name: "allowed subset", in: "json", allowed: []Format{Text, JSON}, want: JSON},
		{name: "outside the subset", in: "sarif", allowed: []Format{Text, JSON},
			wantErr: `unknown output format "sarif": want one of text, json`},
		{name: "unknown lists all", in: "yaml",
			wantErr: `unknown output format "yaml": want one of text, json, junit, sarif, codequality, markdown`},
		{name: "case matters", in: "JSON", wantErr: `unknown output format "JSON"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormat(tt.in, tt.allowed...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFormat(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseFormat(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestWriteFindingsGolden pins every format for a varied set of findings and for a clean run.
func TestWriteFindingsGolden(t *testing.T) {
	ext := map[Format]string{Text: "txt", JSON: "json", JUnit: "junit.xml", SARIF: "sarif", CodeQuality: "codequality.json", Markdown: "md"}
	cases := []struct {
		name string
		run  Run
	}{
		{name: "findings", run: Run{Tool: "platctl", Findings: sample()}},
		{name: "clean", run: Run{Tool: "platctl", Stages: []string{"validate", "policy"}}},
	}
	for _, c := range cases {
		for _, f := range Formats {
			t.Run(c.name+"/"+string(f), func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, f, c.run); err != nil {
					t.Fatal(err)
				}
				golden(t, c.name+"."+ext[f]+".golden", b.String())
			})
		}
	}
}

// TestWriteStable: the output does not depend on the order findings arrive in, and the
// caller's slice is not reordered.
func TestWriteStable(t *testing.T) {
	in := sample()
	before := slices.Clone(in)
	reversed := slices.Clone(in)
	slices.Reverse(reversed)
	for _, f := range Formats {
		var a, b bytes.Buffer
		if err := WriteFindings(&a, f, "platctl", in); err != nil {
			t.Fatal(err)
		}
		if err := WriteFindings(&b, f, "platctl", reversed); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a.String(), b.String()); diff != "" {
			t.Errorf("%s depends on input order (-forward +reversed):\n%s", f, diff)
		}
	}
	if diff := cmp.Diff(before, in); diff != "" {
		t.Errorf("WriteFindings reordered the caller's slice:\n%s", diff)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := WriteFindings(&bytes.Buffer{}, Format("yaml"), "platctl", nil)
	if err == nil || !strings.Contains(err.Error(), "want one of") {
		t.Fatalf("error = %v, want the list of formats", err)
	}
}

// junitDoc is what a JUnit consumer reads; decoding into it proves the XML is well formed and
// has the shape GitLab expects.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitParses(t *testing.T) {
	type suite struct {
		Name            string
		Tests, Failures int
	}
	tests := []struct {
		name         string
		run          Run
		wantSuites   []suite
		wantFailures int
	}{
		{
			name: "findings",
			run:  Run{Tool: "platctl", Stages: []string{"render"}, Findings: sample()},
			wantSuites: []suite{
				{Name: "build", Tests: 1}, {Name: "parity", Tests: 1, Failures: 1},
				{Name: "policy", Tests: 2, Failures: 1}, {Name: "render", Tests: 1}, {Name: "validate", Tests: 1, Failures: 1},
			},
			wantFailures: 3,
		},
		{
			name:       "clean stages each pass",
			run:        Run{Tool: "platctl", Stages: []string{"validate", "policy"}},
			wantSuites: []suite{{Name: "policy", Tests: 1}, {Name: "validate", Tests: 1}},
		},
		{
			name:       "nothing at all still shows one passing case",
			run:        Run{Tool: "platctl"},
			wantSuites: []suite{{Name: "platctl", Tests: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, JUnit, tt.run); err != nil {
				t.Fatal(err)
			}
			var doc junitDoc
			if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("junit output does not parse: %v\n%s", err, b.String())
			}
			var got []suite
			tests := 0
			for _, s := range doc.Suites {
				got = append(got, suite{Name: s.Name, Tests: s.Tests, Failures: s.Failures})
				if s.Tests != len(s.Cases) {
					t.Errorf("suite %s: tests=%d but %d testcases", s.Name, s.Tests, len(s.Cases))
				}
				tests += s.Tests
				for _, c := range s.Cases {
					if c.Name == "" || c.Classname == "" {
						t.Errorf("suite %s: testcase without name or classname: %+v", s.Name, c)
					}
				}
			}
			if diff := cmp.Diff(tt.wantSuites, got); diff != "" {
				t.Errorf("suites (-want +got):\n%s", diff)
			}
			if doc.Tests != tests || doc.Failures != tt.wantFailures {
				t.Errorf("testsuites tests=%d failures=%d, want %d and %d", doc.Tests, doc.Failures, tests, tt.wantFailures)
			}
		})
	}
}

// TestCodeQualityFields checks the output against what GitLab requires of a Code Quality report:
// every issue has description, check_name, fingerprint, severity (one of GitLab's five),
// location.path and location.lines.begin, and distinct findings have distinct fingerprints.
func TestCodeQualityFields(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFindings(&b, CodeQuality, "platctl", sample()); err != nil {
		t.Fatal(err)
	}
	var issues []map[string]any
	if err := json.Unmarshal(b.Bytes(), &issues); err != nil {
		t.Fatalf("not a JSON array: %v", err)
	}
	if len(issues) != len(sample()) {
		t.Fatalf("%d issues, want %d", len(issues), len(sample()))
	}
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	severities := []string{"blocker", "critical", "major", "minor", "info"}
	seen := map[string]bool{}
	for i, is := range issues {
		for _, k := range []string{"description", "check_name", "fingerprint", "severity"} {
			if s, _ := is[k].(string); s == "" {
				t.Errorf("issue %d: %s missing or empty", i, k)
			}
		}
		if sev, _ := is["severity"].(string); !slices.Contains(severities, sev) {
			t.Errorf("issue %d: severity %q is not one of %v", i, sev, severities)
		}
		fp, _ := is["fingerprint"].(string)
		if !hex64.MatchString(fp) {
			t.Errorf("issue %d: fingerprint %q is not a sha256", i, fp)
		}
		if seen[fp] {
			t.Errorf("issue %d: fingerprint %s repeated", i, fp)
		}
		seen[fp] = true
		loc, _ := is["location"].(map[string]any)
		if p, _ := loc["path"].(string); p == "" {
			t.Errorf("issue %d: location.path missing", i)
		}
		lines, _ := loc["lines"].(map[string]any)
		if begin, _ := lines["begin"].(float64); begin < 1 {
			t.Errorf("issue %d: location.lines.begin = %v, want >= 1", i, lines["begin"])
		}
	}
}

func TestCodeQualitySeverity(t *testing.T) {
	tests := []struct {
		in   finding.Severity
		want string
	}{
		{finding.Error, "major"},
		{finding.Warning, "minor"},
		{finding.Info, "info"},
	}
	for _, tt := range tests {
		if got := cqSeverity(tt.in); got != tt.want {
			t.Errorf("cqSeverity(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestFingerprint: stable for the same finding, and changed by each part it covers, but not by
// the column or the stage, which move without the problem changing.
func TestFingerprint(t *testing.T) {
	base := sample()[0]
	if first, again := Fingerprint(base), Fingerprint(base); first != again {
		t.Fatal("fingerprint is not deterministic")
	}
	tests := []struct {
		name   string
		edit   func(*finding.Finding)
		change bool
	}{
		{"rule", func(f *finding.Finding) { f.Rule = "other" }, true},
		{"file", func(f *finding.Finding) { f.File = "x.yaml" }, true},
		{"line", func(f *finding.Finding) { f.Line++ }, true},
		{"object", func(f *finding.Finding) { f.Object = "v1/ConfigMap/web/x" }, true},
		{"field", func(f *finding.Finding) { f.Field = "/data" }, true},
		{"message", func(f *finding.Finding) { f.Message = "other" }, true},
		{"column", func(f *finding.Finding) { f.Col++ }, false},
		{"stage", func(f *finding.Finding) { f.Stage = "policy" }, false},
		// Without a separator these two would hash the same input.
		{"boundary", func(f *finding.Finding) { f.Rule, f.File = base.Rule+base.File[:1], base.File[1:] }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.edit(&f)
			if got := Fingerprint(f) != Fingerprint(base); got != tt.change {
				t.Errorf("editing %s changed the fingerprint: %v, want %v", tt.name, got, tt.change)
			}
		})
	}
}

// TestSARIFRuleIndex: each result's ruleIndex points at the rule with its ruleId, as SARIF
// consumers resolve it.
func TestSARIFRuleIndex(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFindings(&b, SARIF, "platctl", sample()); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q with %d runs, want 2.1.0 with 1", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	for i, r := range run.Results {
		if r.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d does not point at rule %q", i, r.RuleIndex, r.RuleID)
		}
	}
}

func TestFileURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"apps/portfolio/app.cue", "apps/portfolio/app.cue"},
		{"apps/my app/a#b.yaml", "apps/my%20app/a%23b.yaml"},
		{`apps\win\x.yaml`, "apps/win/x.yaml"},
	}
	for _, tt := range tests {
		if got := fileURI(tt.in); got != tt.want {
			t.Errorf("fileURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
