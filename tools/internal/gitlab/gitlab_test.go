package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const marker = "<!-- platctl-report -->"

const notesPath = "/api/v4/projects/42/merge_requests/7/notes"

const listQuery = "?order_by=created_at&per_page=100&sort=asc"

// noToken fails the test if the token shows in err, however it is printed.
func noToken(t *testing.T, token string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, token) {
			t.Errorf("the token appears in the error: %s", s)
		}
	}
}

// TestUpsertCreatesThenUpdates: the first pipeline creates the note, the second edits the same
// one; notes by others, including one quoting ours and a system note, are left alone.
func TestUpsertCreatesThenUpdates(t *testing.T) {
	f := newFake(t)
	f.seed("LGTM", "system: added 1 commit")
	c := f.client(nil)
	ctx := context.Background()

	id, created, err := c.UpsertNote(ctx, "42", 7, marker, marker+"\nfirst")
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Errorf("first upsert: created = false, want true")
	}
	f.seed("> " + marker + "\n> first\nwhy did this change?")

	id2, created, err := c.UpsertNote(ctx, "42", 7, marker, marker+"\nsecond")
	if err != nil {
		t.Fatal(err)
	}
	if created || id2 != id {
		t.Errorf("second upsert: id %d created %v, want id %d updated", id2, created, id)
	}
	want := []string{"LGTM", "system: added 1 commit", marker + "\nsecond", "> " + marker + "\n> first\nwhy did this change?"}
	if diff := cmp.Diff(want, f.bodies()); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	wantLog := []string{
		"GET " + notesPath + listQuery,
		"POST " + notesPath,
		"GET " + notesPath + listQuery,
		fmt.Sprintf("PUT %s/%d", notesPath, id),
	}
	if diff := cmp.Diff(wantLog, f.log()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestUpsertPagination finds our note on the third page, with either pagination header.
func TestUpsertPagination(t *testing.T) {
	for _, link := range []bool{false, true} {
		t.Run(fmt.Sprintf("link=%v", link), func(t *testing.T) {
			f := newFake(t)
			f.pageSize, f.link = 2, link
			f.seed("a", "b", "c", "d", marker+"\nold", "e")
			id, created, err := f.client(nil).UpsertNote(context.Background(), "42", 7, marker, marker+"\nnew")
			if err != nil {
				t.Fatal(err)
			}
			if created || id != 1005 {
				t.Errorf("id %d created %v, want note 1005 updated", id, created)
			}
			want := []string{
				"GET " + notesPath + listQuery,
				"GET " + notesPath + "?order_by=created_at&page=2&per_page=100&sort=asc",
				"GET " + notesPath + "?order_by=created_at&page=3&per_page=100&sort=asc",
				"PUT " + notesPath + "/1005",
			}
			if diff := cmp.Diff(want, f.log()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUpsertNoneOnAnyPage walks every page before creating.
func TestUpsertNoneOnAnyPage(t *testing.T) {
	f := newFake(t)
	f.pageSize = 2
	f.seed("a", "b", "c")
	_, created, err := f.client(nil).UpsertNote(context.Background(), "42", 7, marker, marker)
	if err != nil || !created {
		t.Fatalf("created %v, err %v; want a new note", created, err)
	}
	if n := len(f.log()); n != 3 {
		t.Errorf("%d requests, want 2 pages and a POST: %v", n, f.log())
	}
}

// TestUpsertRateLimited: a 429 is retried after the server's Retry-After, even for a POST.
func TestUpsertRateLimited(t *testing.T) {
	tests := []struct {
		name   string
		method string
	}{
		{"list", http.MethodGet},
		{"create", http.MethodPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.fail(tt.method, fault{status: http.StatusTooManyRequests, retryAfter: "7", body: `{"message":"Retry later"}`})
			var waits []string
			_, created, err := f.client(&waits).UpsertNote(context.Background(), "42", 7, marker, marker)
			if err != nil || !created {
				t.Fatalf("created %v, err %v; want success after the 429", created, err)
			}
			if diff := cmp.Diff([]string{"7s"}, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if got := len(f.bodies()); got != 1 {
				t.Errorf("%d notes, want 1", got)
			}
		})
	}
}

// TestUpsertServerErrors: 5xx answers are retried with backoff up to the attempt limit, and the
// error then says how many attempts were made.
func TestUpsertServerErrors(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		wantErr   string
		wantCalls int
	}{
		{name: "recovers", failures: 2, wantCalls: 3 + 1},
		{name: "gives up", failures: 3, wantCalls: 3, wantErr: "500 Internal Server Error (GitLab says: boom) (gave up after 3 attempts)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			for range tt.failures {
				f.fail(http.MethodGet, fault{status: http.StatusInternalServerError, body: `{"message":"boom"}`})
			}
			var waits []string
			_, _, err := f.client(&waits).UpsertNote(context.Background(), "42", 7, marker, marker)
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want it to end %q", err, tt.wantErr)
			}
			noToken(t, f.token, err)
			if n := len(f.log()); n != tt.wantCalls {
				t.Errorf("%d requests, want %d: %v", n, tt.wantCalls, f.log())
			}
			if len(waits) != 2 {
				t.Errorf("waits %v, want 2", waits)
			}
		})
	}
}

// TestUpsertCreateInDoubt: GitLab saves the note but the answer is a 502. The client must not
// post it again blindly: it lists again, finds the saved note and updates it.
func TestUpsertCreateInDoubt(t *testing.T) {
	f := newFake(t)
	f.createThenFail = true
	var waits []string
	id, created, err := f.client(&waits).UpsertNote(context.Background(), "42", 7, marker, marker+"\nbody")
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Errorf("created = true, want the saved note updated")
	}
	if diff := cmp.Diff([]string{marker + "\nbody"}, f.bodies()); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	wantLog := []string{
		"GET " + notesPath + listQuery,
		"POST " + notesPath,
		"GET " + notesPath + listQuery,
		fmt.Sprintf("PUT %s/%d", notesPath, id),
	}
	if diff := cmp.Diff(wantLog, f.log()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestUpsertNotRetried: 401, 403 and 404 say which of token, access or project/MR is wrong,
// match their sentinel, and are not retried.
func TestUpsertNotRetried(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *fakeGitLab, c *Client, project *string)
		target  error
		wantMsg string
	}{
		{
			name:    "401 bad token",
			setup:   func(f *fakeGitLab, c *Client, _ *string) { c.Token = "glpat-wrong-t0ken" },
			target:  ErrUnauthorized,
			wantMsg: "401 Unauthorized: bad token",
		},
		{
			name: "403 no access",
			setup: func(f *fakeGitLab, _ *Client, _ *string) {
				f.fail(http.MethodGet, fault{status: http.StatusForbidden, body: `{"message":"403 Forbidden - insufficient_scope"}`})
			},
			target:  ErrForbidden,
			wantMsg: "403 Forbidden: no access",
		},
		{
			name:    "404 wrong project",
			setup:   func(_ *fakeGitLab, _ *Client, p *string) { *p = "43" },
			target:  ErrNotFound,
			wantMsg: "404 Not Found: wrong project or MR",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var waits []string
			c := f.client(&waits)
			project := "42"
			tt.setup(f, &c, &project)
			_, _, err := c.UpsertNote(context.Background(), project, 7, marker, marker)
			if !errors.Is(err, tt.target) {
				t.Fatalf("error = %v, want %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			noToken(t, c.Token, err)
			noToken(t, f.token, err)
			if n := len(f.log()); n != 1 || len(waits) != 0 {
				t.Errorf("%d requests and waits %v: a %v must not be retried", n, waits, tt.target)
			}
		})
	}
}

// TestTokenScrubbed: a server echoing the token, and an error from the transport quoting it,
// still give errors without it.
func TestTokenScrubbed(t *testing.T) {
	f := newFake(t)
	f.fail(http.MethodGet, fault{status: http.StatusBadRequest, body: fmt.Sprintf(`{"message":"token %s is malformed"}`, f.token)})
	c := f.client(nil)
	_, _, err := c.UpsertNote(context.Background(), "42", 7, marker, marker)
	if err == nil || !strings.Contains(err.Error(), "token [REDACTED] is malformed") {
		t.Fatalf("error = %v, want GitLab's message with the token masked", err)
	}
	noToken(t, f.token, err)

	inner := fmt.Errorf("dial: %s: %w", f.token, context.DeadlineExceeded)
	got := c.scrub(inner)
	noToken(t, f.token, got)
	if !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("scrubbed error lost errors.Is: %v", got)
	}
	if errors.Unwrap(got) != nil {
		t.Errorf("scrubbed error unwraps to the unscrubbed one")
	}
}

// TestNoRedirect: a redirect is an error, and the token is not sent to where it points.
func TestNoRedirect(t *testing.T) {
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = append(leaked, r.Header.Get("PRIVATE-TOKEN"))
	}))
	defer other.Close()
	f := newFake(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()
	c := f.client(nil)
	c.BaseURL = srv.URL + "/api/v4"
	_, _, err := c.UpsertNote(context.Background(), "42", 7, marker, marker)
	if err == nil || !strings.Contains(err.Error(), "302 Found") || !strings.Contains(err.Error(), "redirected to "+other.URL) {
		t.Fatalf("error = %v, want a 302 naming where it pointed", err)
	}
	if len(leaked) != 0 {
		t.Errorf("the redirect was followed")
	}
}

// TestUpsertContextCancelled: a cancelled context ends the backoff wait at once.
func TestUpsertContextCancelled(t *testing.T) {
	f := newFake(t)
	for range 5 {
		f.fail(http.MethodGet, fault{status: http.StatusServiceUnavailable})
	}
	c := f.client(nil)
	c.Retry = RetryPolicy{Attempts: 5, Base: time.Hour, Max: time.Hour} // the real timer
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := c.UpsertNote(ctx, "42", 7, marker, marker)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("error = %v, want the deadline and the 503 it was waiting to retry", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("the wait did not end with the context")
	}
}

func TestUpsertRefusesBadInput(t *testing.T) {
	f := newFake(t)
	c := f.client(nil)
	tests := []struct {
		name, project string
		mr            int
		marker, body  string
		want          string
	}{
		{"no marker in body", "42", 7, marker, "hello", "does not contain its marker"},
		{"empty marker", "42", 7, "", "hello", "does not contain its marker"},
		{"too long", "42", 7, marker, marker + strings.Repeat("é", NoteLimit), "GitLab accepts at most 1000000"},
		{"no project", "", 7, marker, marker, "both are required"},
		{"no MR", "42", 0, marker, marker, "both are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := c.UpsertNote(context.Background(), tt.project, tt.mr, tt.marker, tt.body)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
	if n := len(f.log()); n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}

// TestProjectPath: a project given by path is escaped as one segment, as GitLab requires.
func TestProjectPath(t *testing.T) {
	f := newFake(t)
	f.project = "platform%2Fzave%20studios"
	_, _, err := f.client(nil).UpsertNote(context.Background(), "platform/zave studios", 7, marker, marker)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.log()[0]; !strings.HasPrefix(got, "GET /api/v4/projects/platform%2Fzave%20studios/merge_requests/7/notes?") {
		t.Errorf("request %q", got)
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{Base: 100 * time.Millisecond, Max: time.Second}.withDefaults()
	tests := []struct {
		n      int
		lo, hi time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second},
		{80, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := p.backoff(tt.n); d < tt.lo || d > tt.hi {
				t.Errorf("backoff(%d) = %v, want within [%v, %v]", tt.n, d, tt.lo, tt.hi)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"7", 7 * time.Second},
		{"0", 0},
		{"Sat, 01 Aug 2026 12:00:30 GMT", 30 * time.Second},
		{"Sat, 01 Aug 2026 11:00:00 GMT", 0},
		{"soon", 0},
		{"-3", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLinkNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<https://g/api/v4/x?page=2>; rel="next", <https://g/api/v4/x?page=1>; rel="first"`, "https://g/api/v4/x?page=2"},
		{`<https://g/a>; rel="first", <https://g/b>; rel="prev next"`, "https://g/b"},
		{`<https://g/a>; rel="last"`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := linkNext(tt.in); got != tt.want {
			t.Errorf("linkNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNextPageOtherHost: a Link to another host is refused rather than sent the token.
func TestNextPageOtherHost(t *testing.T) {
	c := Client{BaseURL: "https://gitlab.example.com/api/v4"}
	h := http.Header{"Link": {`<https://evil.example.net/api/v4/x?page=2>; rel="next"`}}
	if _, err := c.nextPage(h, "https://gitlab.example.com/api/v4/x"); err == nil || !strings.Contains(err.Error(), "evil.example.net") {
		t.Fatalf("error = %v, want the other host refused", err)
	}
}

func TestFromEnv(t *testing.T) {
	full := map[string]string{
		"CI_API_V4_URL":        "https://gitlab.example.com/api/v4/",
		"CI_PROJECT_ID":        "42",
		"CI_MERGE_REQUEST_IID": "7",
		"PLATCTL_GITLAB_TOKEN": "glpat-abc\n",
		"GITLAB_TOKEN":         "glpat-fallback",
	}
	without := func(keys ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for _, k := range keys {
			delete(m, k)
		}
		return m
	}
	tests := []struct {
		name        string
		env         map[string]string
		wantClient  Client
		wantProject string
		wantMR      int
		wantErr     string
	}{
		{name: "all set", env: full, wantClient: Client{BaseURL: "https://gitlab.example.com/api/v4", Token: "glpat-abc"}, wantProject: "42", wantMR: 7},
		{name: "fallback token", env: without("PLATCTL_GITLAB_TOKEN"), wantClient: Client{BaseURL: "https://gitlab.example.com/api/v4", Token: "glpat-fallback"}, wantProject: "42", wantMR: 7},
		{name: "no token", env: without("PLATCTL_GITLAB_TOKEN", "GITLAB_TOKEN"), wantErr: "gitlab: PLATCTL_GITLAB_TOKEN (or GITLAB_TOKEN) not set"},
		{name: "not an MR pipeline", env: without("CI_MERGE_REQUEST_IID"), wantErr: "gitlab: CI_MERGE_REQUEST_IID not set"},
		{name: "all named", env: map[string]string{}, wantErr: "gitlab: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, PLATCTL_GITLAB_TOKEN (or GITLAB_TOKEN) not set"},
		{name: "bad URL", env: func() map[string]string { m := without(); m["CI_API_V4_URL"] = "gitlab.example.com"; return m }(), wantErr: `gitlab: CI_API_V4_URL="gitlab.example.com" is not an http(s) URL`},
		{name: "bad IID", env: func() map[string]string { m := without(); m["CI_MERGE_REQUEST_IID"] = "!7"; return m }(), wantErr: `gitlab: CI_MERGE_REQUEST_IID="!7" is not a merge request number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, project, mr, err := FromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to start %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "glpat-") {
					t.Errorf("the token appears in the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantClient, c); diff != "" {
				t.Errorf("client (-want +got):\n%s", diff)
			}
			if project != tt.wantProject || mr != tt.wantMR {
				t.Errorf("project %q MR %d, want %q %d", project, mr, tt.wantProject, tt.wantMR)
			}
		})
	}
}
