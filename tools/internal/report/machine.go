package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
)

// writeJSON writes the findings as an indented array; an empty run is `[]`, never `null`, so
// consumers can always iterate.
func writeJSON(w io.Writer, fs []finding.Finding) error {
	if fs == nil {
		fs = []finding.Finding{}
	}
	return encodeJSON(w, fs)
}

// encodeJSON indents and keeps <, > and & literal: the output is read by people and by tools, and
// nothing here ends up inside HTML.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// detail is a finding without its location, for formats that carry the location separately.
func detail(f finding.Finding) string {
	f.File, f.Line, f.Col = "", 0, 0
	return f.String()
}

// JUnit, in the subset GitLab's `artifacts:reports:junit` reads: testsuites > testsuite >
// testcase, a <failure> making a case fail, <system-out> shown in the test details.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes one testsuite per stage and one testcase per finding. Only errors fail a
// case; warnings and infos pass with the finding in system-out, so the MR widget shows them
// without failing the pipeline. A stage with no findings gets one passing case, because GitLab
// hides a suite with no cases and "validate: passed" is worth seeing.
func writeJUnit(w io.Writer, r Run) error {
	byStage := map[string][]finding.Finding{}
	names := slices.Clone(r.Stages)
	for _, f := range r.Findings {
		s := cmp.Or(f.Stage, r.Tool)
		byStage[s] = append(byStage[s], f)
		names = append(names, s)
	}
	if len(names) == 0 {
		names = []string{r.Tool}
	}
	slices.Sort(names)
	names = slices.Compact(names)

	out := junitSuites{Name: r.Tool}
	for _, stage := range names {
		suite := junitSuite{Name: stage, Time: "0"}
		class := r.Tool + "." + stage
		for _, f := range byStage[stage] {
			c := junitCase{Name: f.String(), Classname: class, File: f.File, Time: "0"}
			if f.Severity == finding.Error {
				c.Failure = &junitFailure{Message: f.Message, Type: cmp.Or(f.Rule, stage), Text: f.String()}
				suite.Failures++
			} else {
				c.SystemOut = string(f.Severity) + ": " + f.String()
			}
			suite.Cases = append(suite.Cases, c)
		}
		if len(suite.Cases) == 0 {
			suite.Cases = []junitCase{{Name: stage + ": no findings", Classname: class, Time: "0"}}
		}
		suite.Tests = len(suite.Cases)
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// SARIF 2.1.0, the parts code scanning UIs read: one run, the rules by id, and per result a level,
// a message and a physical location relative to the repository root (%SRCROOT%).
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name  string      `json:"name"`
	Rules []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID string `json:"id"`
}

type sarifResult struct {
	RuleID     string            `json:"ruleId"`
	RuleIndex  int               `json:"ruleIndex"`
	Level      string            `json:"level"`
	Message    sarifMessage      `json:"message"`
	Locations  []sarifLocation   `json:"locations,omitempty"`
	Properties map[string]string `json:"properties,omitempty"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifLocation struct {
	Physical *sarifPhysical `json:"physicalLocation,omitempty"`
	Logical  []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// ruleID is the finding's rule, or its stage when the stage has no named rules (a schema error
// from validate): SARIF viewers group by rule and a result without one is hard to triage.
func ruleID(f finding.Finding) string { return cmp.Or(f.Rule, f.Stage, "platctl") }

func writeSARIF(w io.Writer, r Run) error {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, ruleID(f))
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rules := make([]sarifRule, len(ids))
	for i, id := range ids {
		rules[i] = sarifRule{ID: id}
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		id := ruleID(f)
		idx, _ := slices.BinarySearch(ids, id)
		msg := f
		msg.File, msg.Line, msg.Col, msg.Stage, msg.Rule = "", 0, 0, "", ""
		res := sarifResult{
			RuleID:    id,
			RuleIndex: idx,
			Level:     sarifLevel(f.Severity),
			// The text form minus what SARIF carries elsewhere (location, rule): "object: field: message".
			Message: sarifMessage{Text: strings.TrimPrefix(msg.String(), ": ")},
		}
		var loc sarifLocation
		if f.File != "" {
			loc.Physical = &sarifPhysical{Artifact: sarifArtifact{URI: fileURI(f.File), URIBaseID: "%SRCROOT%"}}
			if f.Line > 0 {
				loc.Physical.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Col}
			}
		}
		if f.Object != "" {
			loc.Logical = []sarifLogical{{FullyQualifiedName: f.Object, Kind: "resource"}}
		}
		if loc.Physical != nil || loc.Logical != nil {
			res.Locations = []sarifLocation{loc}
		}
		if f.Stage != "" || f.Field != "" {
			res.Properties = map[string]string{}
			if f.Stage != "" {
				res.Properties["stage"] = f.Stage
			}
			if f.Field != "" {
				res.Properties["field"] = f.Field
			}
		}
		results = append(results, res)
	}
	return encodeJSON(w, sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: sarifDriver{Name: r.Tool, Rules: rules}}, Results: results}},
	})
}

func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Error:
		return "error"
	case finding.Warning:
		return "warning"
	}
	return "note"
}

// fileURI makes a repo-relative path a relative URI reference: slashes kept, anything a URI
// cannot hold (spaces, #, %) percent-encoded.
func fileURI(p string) string {
	return (&url.URL{Path: strings.ReplaceAll(p, `\`, "/")}).EscapedPath()
}

// GitLab Code Quality, the Code Climate subset GitLab documents as required.
type cqIssue struct {
	Description string     `json:"description"`
	CheckName   string     `json:"check_name"`
	Fingerprint string     `json:"fingerprint"`
	Severity    string     `json:"severity"`
	Location    cqLocation `json:"location"`
}

type cqLocation struct {
	Path  string  `json:"path"`
	Lines cqLines `json:"lines"`
}

type cqLines struct {
	Begin int `json:"begin"`
}

func writeCodeQuality(w io.Writer, fs []finding.Finding) error {
	issues := make([]cqIssue, 0, len(fs))
	for _, f := range fs {
		issues = append(issues, cqIssue{
			Description: detail(f),
			CheckName:   checkName(f),
			Fingerprint: Fingerprint(f),
			Severity:    cqSeverity(f.Severity),
			Location: cqLocation{
				// GitLab requires a path; a finding about no file (a missing environment) is about
				// the repository, whose root is ".".
				Path: cmp.Or(f.File, "."),
				// and a line of at least 1: line 0 means unknown, and the file's top is the honest place.
				Lines: cqLines{Begin: max(f.Line, 1)},
			},
		})
	}
	return encodeJSON(w, issues)
}

// checkName namespaces the rule by stage so a policy rule and a schema rule of the same name stay
// apart in GitLab's widget.
func checkName(f finding.Finding) string {
	switch {
	case f.Stage == "":
		return ruleID(f)
	case f.Rule == "":
		return f.Stage
	case strings.HasPrefix(f.Rule, f.Stage+"/"):
		return f.Rule // already namespaced (policy/exception-expired, parity/stale)
	}
	return f.Stage + "/" + f.Rule
}

func cqSeverity(s finding.Severity) string {
	switch s {
	case finding.Error:
		return "major"
	case finding.Warning:
		return "minor"
	}
	return "info"
}

// Fingerprint identifies a finding across pipelines, so GitLab can tell new issues from fixed
// ones: the sha256 of rule, file, line, object, field and message, NUL-separated so no two
// different findings can join to the same input.
func Fingerprint(f finding.Finding) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{f.Rule, f.File, strconv.Itoa(f.Line), f.Object, f.Field, f.Message}, "\x00")))
	return hex.EncodeToString(sum[:])
}
