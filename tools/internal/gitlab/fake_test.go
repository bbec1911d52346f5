package gitlab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGitLab is the part of GitLab's notes API UpsertNote uses, in-process on 127.0.0.1: it
// checks the token, pages the notes like GitLab (X-Next-Page or a Link header) and can be told
// to fail requests first.
type fakeGitLab struct {
	t       *testing.T
	token   string
	project string // as it appears escaped in the path
	mr      int
	// pageSize caps per_page, to make pagination happen with few notes.
	pageSize int
	// link pages with a Link rel="next" header instead of X-Next-Page.
	link bool
	// createThenFail saves the next created note and then answers 502, as a proxy timing out
	// after GitLab did the work would.
	createThenFail bool

	mu       sync.Mutex
	notes    []note
	nextID   int
	faults   map[string][]fault // by method, used in order before the request is served
	requests []string           // "METHOD path?query", in order
	srv      *httptest.Server
}

type fault struct {
	status     int
	retryAfter string
	body       string
}

func newFake(t *testing.T) *fakeGitLab {
	t.Helper()
	f := &fakeGitLab{t: t, token: "glpat-s3cr3t-t0ken", project: "42", mr: 7, pageSize: 100, nextID: 1000, faults: map[string][]fault{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// client is a Client of the fake whose retries record their waits instead of sleeping.
func (f *fakeGitLab) client(waits *[]string) Client {
	return Client{
		BaseURL: f.srv.URL + "/api/v4",
		Token:   f.token,
		HTTP:    f.srv.Client(),
		Retry: RetryPolicy{Attempts: 3, Base: 10 * time.Millisecond, Max: 30 * time.Second, Sleep: func(_ context.Context, d time.Duration) error {
			if waits != nil {
				*waits = append(*waits, d.String())
			}
			return nil
		}},
	}
}

// seed adds notes written by others; system notes mention nothing of ours.
func (f *fakeGitLab) seed(bodies ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range bodies {
		f.nextID++
		f.notes = append(f.notes, note{ID: f.nextID, Body: b, System: strings.HasPrefix(b, "system:")})
	}
}

func (f *fakeGitLab) fail(method string, fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], fs...)
}

func (f *fakeGitLab) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func (f *fakeGitLab) bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.notes {
		out = append(out, n.Body)
	}
	return out
}

func (f *fakeGitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.EscapedPath()
	entry := r.Method + " " + path
	if r.URL.RawQuery != "" {
		entry += "?" + r.URL.RawQuery
	}
	f.requests = append(f.requests, entry)

	if r.Header.Get("PRIVATE-TOKEN") != f.token {
		reply(w, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
		return
	}
	if q := f.faults[r.Method]; len(q) > 0 {
		f.faults[r.Method] = q[1:]
		if q[0].retryAfter != "" {
			w.Header().Set("Retry-After", q[0].retryAfter)
		}
		reply(w, q[0].status, q[0].body)
		return
	}
	prefix := fmt.Sprintf("/api/v4/projects/%s/merge_requests/%d/notes", f.project, f.mr)
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		reply(w, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
		return
	}
	switch {
	case rest == "" && r.Method == http.MethodGet:
		f.list(w, r)
	case rest == "" && r.Method == http.MethodPost:
		var in struct{ Body string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
			reply(w, http.StatusBadRequest, `{"message":{"note":["can't be blank"]}}`)
			return
		}
		f.nextID++
		n := note{ID: f.nextID, Body: in.Body}
		f.notes = append(f.notes, n)
		if f.createThenFail {
			f.createThenFail = false
			reply(w, http.StatusBadGateway, "<html>502 Bad Gateway</html>")
			return
		}
		writeJSON(w, http.StatusCreated, n)
	case strings.HasPrefix(rest, "/") && r.Method == http.MethodPut:
		id, _ := strconv.Atoi(rest[1:])
		var in struct{ Body string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		for i := range f.notes {
			if f.notes[i].ID == id {
				f.notes[i].Body = in.Body
				writeJSON(w, http.StatusOK, f.notes[i])
				return
			}
		}
		reply(w, http.StatusNotFound, `{"message":"404 Not found"}`)
	default:
		reply(w, http.StatusMethodNotAllowed, `{"error":"405 Method Not Allowed"}`)
	}
}

// list serves a page of notes oldest first, as asked with sort=asc.
func (f *fakeGitLab) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("sort") != "asc" {
		f.t.Errorf("notes listed with sort=%q; the oldest marked note is only found first with asc", q.Get("sort"))
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	per = min(max(per, 1), f.pageSize)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	lo := min((page-1)*per, len(f.notes))
	hi := min(lo+per, len(f.notes))
	if hi < len(f.notes) {
		if f.link {
			q.Set("page", strconv.Itoa(page+1))
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next", <%s%s?page=1>; rel="first"`, f.srv.URL, r.URL.Path, q.Encode(), f.srv.URL, r.URL.Path))
		} else {
			w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
		}
	} else if !f.link {
		w.Header().Set("X-Next-Page", "")
	}
	w.Header().Set("X-Page", strconv.Itoa(page))
	writeJSON(w, http.StatusOK, f.notes[lo:hi])
}

func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	reply(w, status, string(b))
}
