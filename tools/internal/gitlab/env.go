package gitlab

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// FromEnv reads what posting needs from a GitLab CI merge request pipeline: the API root
// (CI_API_V4_URL), the project (CI_PROJECT_ID) and the MR (CI_MERGE_REQUEST_IID), which GitLab
// sets, and a token from PLATCTL_GITLAB_TOKEN or, failing that, GITLAB_TOKEN, which the project
// sets as a masked CI/CD variable (CI_JOB_TOKEN cannot write notes). Every missing variable is
// named in one error. getenv is os.Getenv outside tests.
func FromEnv(getenv func(string) string) (c Client, project string, mr int, err error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	base, project, iid := get("CI_API_V4_URL"), get("CI_PROJECT_ID"), get("CI_MERGE_REQUEST_IID")
	// Trimmed because a token pasted with its newline makes an invalid header.
	token := get("PLATCTL_GITLAB_TOKEN")
	if token == "" {
		token = get("GITLAB_TOKEN")
	}
	var missing []string
	for _, v := range []struct{ name, val string }{
		{"CI_API_V4_URL", base},
		{"CI_PROJECT_ID", project},
		{"CI_MERGE_REQUEST_IID", iid},
		{"PLATCTL_GITLAB_TOKEN (or GITLAB_TOKEN)", token},
	} {
		if v.val == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return Client{}, "", 0, fmt.Errorf("gitlab: %s not set: CI_* are set by GitLab CI in merge request pipelines, and the token is a project or bot token with the api scope", strings.Join(missing, ", "))
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Client{}, "", 0, fmt.Errorf("gitlab: CI_API_V4_URL=%q is not an http(s) URL", base)
	}
	mr, err = strconv.Atoi(iid)
	if err != nil || mr <= 0 {
		return Client{}, "", 0, fmt.Errorf("gitlab: CI_MERGE_REQUEST_IID=%q is not a merge request number", iid)
	}
	return Client{BaseURL: strings.TrimRight(base, "/"), Token: token}, project, mr, nil
}
