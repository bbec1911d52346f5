package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/report"
)

// notesServer is the least of GitLab's MR notes API that `report --post gitlab` needs, on
// 127.0.0.1: list, create and update, for project 42, MR 7, with one token.
type notesServer struct {
	mu    sync.Mutex
	notes []*mrNote
	log   []string
}

type mrNote struct {
	ID     int    `json:"id"`
	Body   string `json:"body"`
	System bool   `json:"system"`
}

const testToken = "glpat-cli-test-t0ken"

func (s *notesServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r.Method+" "+r.URL.Path)
	if r.Header.Get("PRIVATE-TOKEN") != testToken {
		http.Error(w, `{"message":"401 Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	const notes = "/api/v4/projects/42/merge_requests/7/notes"
	var in struct{ Body string }
	switch {
	case r.Method == http.MethodGet && r.URL.Path == notes:
		_ = json.NewEncoder(w).Encode(s.notes)
	case r.Method == http.MethodPost && r.URL.Path == notes:
		_ = json.NewDecoder(r.Body).Decode(&in)
		n := &mrNote{ID: 500 + len(s.notes), Body: in.Body}
		s.notes = append(s.notes, n)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(n)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, notes+"/"):
		_ = json.NewDecoder(r.Body).Decode(&in)
		id, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, notes+"/"))
		for _, n := range s.notes {
			if n.ID == id {
				n.Body = in.Body
				_ = json.NewEncoder(w).Encode(n)
				return
			}
		}
		http.Error(w, `{"message":"404 Not found"}`, http.StatusNotFound)
	default:
		http.Error(w, `{"message":"404 Project Not Found"}`, http.StatusNotFound)
	}
}

func (s *notesServer) bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.notes {
		out = append(out, n.Body)
	}
	return out
}

// writeEnvelope writes a report file for the command to read.
func writeEnvelope(t *testing.T, dir, name string, d report.Document, fs []finding.Finding) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteEnvelope(&b, report.NewEnvelope(d, nil, fs)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportPostGitLab runs `platctl report --post gitlab` twice against a fake GitLab: the first
// run creates the note, the second updates it, the note is what was printed, and the token shows
// nowhere in the output.
func TestReportPostGitLab(t *testing.T) {
	srv := &notesServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	t.Setenv("CI_API_V4_URL", ts.URL+"/api/v4")
	t.Setenv("CI_PROJECT_ID", "42")
	t.Setenv("CI_MERGE_REQUEST_IID", "7")
	t.Setenv("PLATCTL_GITLAB_TOKEN", testToken)
	t.Setenv("GITLAB_TOKEN", "")

	dir := t.TempDir()
	tests := []struct {
		name       string
		changed    int
		wantStderr string
	}{
		{name: "first pipeline creates", changed: 1, wantStderr: "posting the report to merge request !7 of project 42\ncreated note 500\n"},
		{name: "second pipeline updates", changed: 2, wantStderr: "posting the report to merge request !7 of project 42\nupdated note 500\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := writeEnvelope(t, dir, "diff.json", report.Document{
				Title:   "platctl: homelab",
				Summary: []report.SummaryRow{{Env: "homelab", Changed: tt.changed}},
			}, nil)
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), []string{"report", "--input", in, "--post", "gitlab"}, &stdout, &stderr)
			if code != ExitClean {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			if diff := cmp.Diff(tt.wantStderr, stderr.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{stdout.String()}, srv.bodies()); diff != "" {
				t.Errorf("notes on the MR (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(stdout.String(), report.Marker+"\n") {
				t.Errorf("stdout does not start with the marker:\n%s", stdout.String())
			}
			if strings.Contains(stdout.String()+stderr.String(), testToken) {
				t.Errorf("the token was printed")
			}
		})
	}
}

// TestReportPostGitLabErrors: a rejected token is exit 2 with an error saying so and without the
// token; the note was still printed, so the job log has it.
func TestReportPostGitLabErrors(t *testing.T) {
	srv := &notesServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	const wrong = "glpat-wrong-t0ken"
	t.Setenv("CI_API_V4_URL", ts.URL+"/api/v4")
	t.Setenv("CI_PROJECT_ID", "42")
	t.Setenv("CI_MERGE_REQUEST_IID", "7")
	t.Setenv("PLATCTL_GITLAB_TOKEN", "")
	t.Setenv("GITLAB_TOKEN", wrong)

	in := writeEnvelope(t, t.TempDir(), "diff.json", report.Document{Title: "x"}, nil)
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"report", "-q", "--input", in, "--post", "gitlab"}, &stdout, &stderr)
	if code != ExitFailure {
		t.Fatalf("exit %d, want %d", code, ExitFailure)
	}
	if !strings.Contains(stderr.String(), "401 Unauthorized: bad token") {
		t.Errorf("stderr = %q, want the bad token named", stderr.String())
	}
	if strings.Contains(stderr.String(), wrong) {
		t.Errorf("the token was printed: %s", stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), report.Marker) {
		t.Errorf("the note was not printed")
	}
	if n := len(srv.log); n != 1 {
		t.Errorf("%d requests, want 1: a 401 is not retried", n)
	}
}

// TestWriteFindings: the helper other commands use prints the chosen format and rejects an
// unknown one with the list of formats.
func TestWriteFindings(t *testing.T) {
	fs := []finding.Finding{
		{Stage: "validate", Severity: finding.Error, File: "b.yaml", Line: 2, Message: "second"},
		{Stage: "validate", Severity: finding.Warning, File: "a.yaml", Line: 1, Message: "first"},
	}
	tests := []struct {
		format  string
		want    string
		wantErr string
	}{
		{format: "text", want: "a.yaml:1: validate: first\nb.yaml:2: validate: second\n1 error(s), 1 warning(s)\n"},
		{format: "yaml", wantErr: `unknown output format "yaml": want one of text, json, junit, sarif, codequality, markdown`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var out bytes.Buffer
			err := writeFindings(&App{Stdout: &out, Stderr: &bytes.Buffer{}}, tt.format, fs)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddFindingsFormatFlag(t *testing.T) {
	var format string
	cmd := &cobra.Command{Use: "x"}
	addFindingsFormatFlag(cmd, &format)
	if err := cmd.ParseFlags([]string{"-o", "codequality"}); err != nil {
		t.Fatal(err)
	}
	if format != "codequality" {
		t.Errorf("-o codequality gave %q", format)
	}
	if u := cmd.Flags().Lookup("output").Usage; !strings.Contains(u, "text|json|junit|sarif|codequality|markdown") {
		t.Errorf("usage %q does not list the formats", u)
	}
}
