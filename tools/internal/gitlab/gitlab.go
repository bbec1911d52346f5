// Package gitlab posts platctl's report to a GitLab merge request: one note, found again by a
// hidden marker and edited in place on every pipeline, so the MR carries one current report
// rather than a new comment per push. Only the REST calls that needs are here (list, create and
// update MR notes), over net/http, with retries for rate limits and server errors.
package gitlab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// NoteLimit is GitLab's maximum note length in characters.
const NoteLimit = 1_000_000

// Errors for the statuses that retrying cannot fix; match them with errors.Is.
var (
	ErrUnauthorized = errors.New("bad token")
	ErrForbidden    = errors.New("no access")
	ErrNotFound     = errors.New("wrong project or MR")
)

// Client calls the GitLab REST API v4.
type Client struct {
	// BaseURL is the API root, CI_API_V4_URL (https://gitlab.example.com/api/v4).
	BaseURL string
	// Token is sent as PRIVATE-TOKEN and never printed: errors are scrubbed of it.
	Token string
	// HTTP is the client to use; nil means one with a 60 s timeout. Redirects are never followed
	// whatever it says, so the token cannot be forwarded to another host.
	HTTP  *http.Client
	Retry RetryPolicy
}

// RetryPolicy bounds the retries of rate-limited (429) and failed (5xx, connection) requests.
// The zero value is the default: 5 attempts, waits from 1 s doubling to at most 60 s.
type RetryPolicy struct {
	// Attempts is how many times one request is made at most, the first included.
	Attempts int
	// Base is the wait before the first retry; each later retry doubles it. A random part of up
	// to half the wait is taken off, so parallel jobs that failed together retry apart.
	Base time.Duration
	// Max caps a single wait, a server's Retry-After included: a CI job should fail rather than
	// sleep for an hour.
	Max time.Duration
	// Sleep waits d or until ctx is done; nil uses a timer. Tests pass one that records the wait.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Base <= 0 {
		p.Base = time.Second
	}
	if p.Max <= 0 {
		p.Max = time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

// backoff is the wait before retry number n (1 for the first retry): Base·2ⁿ⁻¹ capped at Max,
// less a random part of up to half of it.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.Max
	if n-1 < 62 && p.Base<<(n-1) > 0 && p.Base<<(n-1) < p.Max {
		d = p.Base << (n - 1)
	}
	return d - rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// APIError is a response GitLab answered with an error status.
type APIError struct {
	// Op says what was being done, e.g. "list notes of merge request !7 in project 42".
	Op     string
	Status int
	// Message is GitLab's own explanation from the response body, scrubbed of the token.
	Message    string
	retryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gitlab: %s: %d %s", e.Op, e.Status, http.StatusText(e.Status))
	switch e.Status {
	case http.StatusUnauthorized:
		b.WriteString(": bad token: GitLab rejected it (expired, revoked or mistyped); set PLATCTL_GITLAB_TOKEN to a token with the api scope")
	case http.StatusForbidden:
		b.WriteString(": no access: the token may not do this (it needs the api scope and at least the Reporter role on the project; CI_JOB_TOKEN cannot write notes)")
	case http.StatusNotFound:
		b.WriteString(": wrong project or MR: no such project or merge request, or the token cannot see it (check CI_PROJECT_ID and CI_MERGE_REQUEST_IID)")
	}
	if e.Message != "" {
		b.WriteString(" (GitLab says: " + e.Message + ")")
	}
	return b.String()
}

// Unwrap lets errors.Is tell the statuses a retry cannot fix.
func (e *APIError) Unwrap() error {
	switch e.Status {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	}
	return nil
}

// transient reports whether err may succeed when tried again: a rate limit, a server error or a
// failed connection, but not the caller's context ending.
func transient(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusTooManyRequests || ae.Status >= 500
	}
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// rejected reports whether the server refused err's request without acting on it: a 429 is
// answered before the request is processed, so even a POST is safe to send again.
func rejected(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests
}

type note struct {
	ID     int    `json:"id"`
	Body   string `json:"body"`
	System bool   `json:"system"`
}

// maxPages stops a server whose pagination never ends from keeping the job forever.
const maxPages = 1000

// UpsertNote makes sure the merge request has one note containing marker with the given body:
// it lists the MR's notes, updates the oldest one whose body contains the marker, and creates a
// note if none does. It returns the note's id and whether it was created.
//
// The marker alone identifies our note, whoever wrote it: the token may belong to a bot user or
// to a person, and the marker is an HTML comment nobody types by hand. System notes ("added 1
// commit") are skipped. The oldest match is chosen so a reply quoting our note is never taken
// for it.
//
// A create that fails with a server or connection error is not simply sent again, since GitLab
// may have saved the note before failing; the notes are listed again first, and a note saved
// that way is updated instead of duplicated.
func (c Client) UpsertNote(ctx context.Context, projectID string, mrIID int, marker, body string) (noteID int, created bool, err error) {
	id, created, err := c.upsert(ctx, projectID, mrIID, marker, body)
	return id, created, c.scrub(err)
}

func (c Client) upsert(ctx context.Context, projectID string, mrIID int, marker, body string) (int, bool, error) {
	switch {
	case c.BaseURL == "":
		return 0, false, errors.New("gitlab: no API URL (CI_API_V4_URL)")
	case c.Token == "":
		return 0, false, errors.New("gitlab: no token (PLATCTL_GITLAB_TOKEN)")
	case projectID == "" || mrIID <= 0:
		return 0, false, fmt.Errorf("gitlab: project %q, merge request %d: both are required", projectID, mrIID)
	case marker == "" || !strings.Contains(body, marker):
		// Without the marker the next pipeline could not find this note and would add another.
		return 0, false, fmt.Errorf("gitlab: the note body does not contain its marker %q", marker)
	}
	if n := utf8.RuneCountInString(body); n > NoteLimit {
		return 0, false, fmt.Errorf("gitlab: the note is %d characters, GitLab accepts at most %d", n, NoteLimit)
	}
	c.Retry = c.Retry.withDefaults()
	notes := c.BaseURL
	notes = strings.TrimRight(notes, "/") + "/projects/" + url.PathEscape(projectID) + "/merge_requests/" + strconv.Itoa(mrIID) + "/notes"
	where := fmt.Sprintf("merge request !%d in project %s", mrIID, projectID)
	payload, err := json.Marshal(map[string]string{"body": body})
	if err != nil {
		return 0, false, fmt.Errorf("gitlab: encode note: %w", err)
	}

	for round := 1; ; round++ {
		id, err := c.findNote(ctx, notes, where, marker)
		if err != nil {
			return 0, false, err
		}
		if id != 0 {
			op := fmt.Sprintf("update note %d of %s", id, where)
			if _, err := c.do(ctx, op, http.MethodPut, notes+"/"+strconv.Itoa(id), payload, nil, true); err != nil {
				return 0, false, err
			}
			return id, false, nil
		}
		var n note
		_, err = c.do(ctx, "create note on "+where, http.MethodPost, notes, payload, &n, false)
		if err == nil {
			return n.ID, true, nil
		}
		// A 429 was already retried by do; only an answer that leaves the create in doubt
		// sends us round again.
		if !transient(err) || rejected(err) || round >= c.Retry.Attempts {
			return 0, false, err
		}
		if err := c.wait(ctx, round, err); err != nil {
			return 0, false, err
		}
	}
}

// findNote returns the id of the oldest non-system note containing marker, or 0. It asks for the
// notes oldest first, so it can stop at the first match, and follows the pagination GitLab
// offers: a Link header with rel="next" (keyset pagination) or else X-Next-Page.
func (c Client) findNote(ctx context.Context, notes, where, marker string) (int, error) {
	q := url.Values{"per_page": {"100"}, "sort": {"asc"}, "order_by": {"created_at"}}
	next := notes + "?" + q.Encode()
	for page := 1; next != ""; page++ {
		if page > maxPages {
			return 0, fmt.Errorf("gitlab: list notes of %s: more than %d pages", where, maxPages)
		}
		var got []note
		op := fmt.Sprintf("list notes of %s (page %d)", where, page)
		h, err := c.do(ctx, op, http.MethodGet, next, nil, &got, true)
		if err != nil {
			return 0, err
		}
		for _, n := range got {
			if !n.System && strings.Contains(n.Body, marker) {
				return n.ID, nil
			}
		}
		next, err = c.nextPage(h, next)
		if err != nil {
			return 0, fmt.Errorf("gitlab: %s: %w", op, err)
		}
	}
	return 0, nil
}

// nextPage is the URL of the page after cur, or "" on the last page. A Link URL on another host
// is refused: following it would send the token there.
func (c Client) nextPage(h http.Header, cur string) (string, error) {
	if link := linkNext(h.Get("Link")); link != "" {
		u, err := url.Parse(link)
		if err != nil {
			return "", fmt.Errorf("next page link: %w", err)
		}
		base, err := url.Parse(c.BaseURL)
		if err != nil {
			return "", fmt.Errorf("API URL: %w", err)
		}
		if u.Scheme != base.Scheme || u.Host != base.Host {
			return "", fmt.Errorf("next page link points to %s://%s, not the API at %s://%s", u.Scheme, u.Host, base.Scheme, base.Host)
		}
		return link, nil
	}
	p := strings.TrimSpace(h.Get("X-Next-Page"))
	if p == "" {
		return "", nil
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 {
		return "", fmt.Errorf("X-Next-Page %q is not a page number", p)
	}
	u, err := url.Parse(cur)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("page", p)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// linkNext returns the rel="next" target of an RFC 8288 Link header.
func linkNext(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		target, params, ok := strings.Cut(part, ";")
		if !ok {
			continue
		}
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "rel") && slices.ContainsFunc(strings.Fields(strings.Trim(v, `"`)), isNext) {
				return strings.Trim(strings.TrimSpace(target), "<>")
			}
		}
	}
	return ""
}

func isNext(rel string) bool { return strings.EqualFold(rel, "next") }

// do sends one API request, retrying it under the policy. idempotent says whether a server or
// connection error may be retried too; a 429 always may. It decodes a 2xx body into out.
func (c Client) do(ctx context.Context, op, method, target string, body []byte, out any, idempotent bool) (http.Header, error) {
	for attempt := 1; ; attempt++ {
		h, err := c.once(ctx, op, method, target, body, out)
		if err == nil {
			return h, nil
		}
		if !transient(err) || (!idempotent && !rejected(err)) {
			return nil, err
		}
		if attempt >= c.Retry.Attempts {
			return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		}
		if err := c.wait(ctx, attempt, err); err != nil {
			return nil, err
		}
	}
}

// wait sleeps before retry number n after err: the server's Retry-After if it sent one, else
// the backoff.
func (c Client) wait(ctx context.Context, n int, err error) error {
	d := c.Retry.backoff(n)
	var ae *APIError
	if errors.As(err, &ae) && ae.retryAfter > 0 {
		d = min(ae.retryAfter, c.Retry.Max)
	}
	if serr := c.Retry.Sleep(ctx, d); serr != nil {
		return fmt.Errorf("%w while waiting to retry after: %w", serr, err)
	}
	return nil
}

func (c Client) once(ctx context.Context, op, method, target string, body []byte, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("gitlab: %s: %w", op, err)
	}
	req.Header.Set("PRIVATE-TOKEN", c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("gitlab: %s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, c.apiError(op, resp)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return nil, fmt.Errorf("gitlab: %s: decode response: %w", op, err)
		}
	}
	// Drain what is left so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.Header, nil
}

// httpClient is c.HTTP, or a default, with redirects turned off: a redirect of a PUT or POST
// would lose its body, and one to another host would carry the token there.
func (c Client) httpClient() *http.Client {
	hc := http.Client{Timeout: time.Minute}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// apiError reads GitLab's explanation ({"message": ...} or {"error": ...}) from a failed response.
func (c Client) apiError(op string, resp *http.Response) error {
	e := &APIError{Op: op, Status: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var msg struct {
		Message any    `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(raw, &msg) == nil {
		switch m := msg.Message.(type) {
		case string:
			e.Message = m
		case nil:
			e.Message = msg.Error
		default:
			// Validation errors come as an object of field → messages.
			b, _ := json.Marshal(m)
			e.Message = string(b)
		}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Message = "redirected to " + resp.Header.Get("Location") + "; is CI_API_V4_URL the API root (…/api/v4)?"
	}
	e.Message = c.redact(oneLine(e.Message, 300))
	if s := resp.Header.Get("Retry-After"); s != "" {
		e.retryAfter = parseRetryAfter(s, time.Now())
	}
	return e
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func parseRetryAfter(s string, now time.Time) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(s); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

func (c Client) redact(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, "[REDACTED]")
}

// scrub returns err with the token masked out of its text. The token only travels in a header
// and API errors are redacted when built, so this is a last guard (a server echoing the request
// into a transport error, a token pasted into the URL). A scrubbed error still answers errors.Is
// but does not unwrap, since what it wraps holds the token.
func (c Client) scrub(err error) error {
	if err == nil || c.Token == "" || !strings.Contains(err.Error(), c.Token) {
		return err
	}
	return &scrubbed{msg: c.redact(err.Error()), err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string        { return s.msg }
func (s *scrubbed) Is(target error) bool { return errors.Is(s.err, target) }
